// Decodes OTLP/HTTP logs requests the way a collector would, with the OpenTelemetry protobuf
// definitions (PyPI `opentelemetry-proto`, run by otlp.decode.py), so a test checks the notifier's
// bytes against the protocol rather than against the library that wrote them.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { IncomingHttpHeaders } from 'node:http';
import { PROJECT_ROOT } from '../../core/config.ts';
import { pythonVenv } from './python.tools.ts';

/** Pinned: the decoder must not change under the test. */
const REQUIREMENTS = ['opentelemetry-proto==1.45.2', 'protobuf==7.36.2'];

export interface DecodedValue {
  string_value?: string;
  int_value?: string;
  double_value?: number;
  bool_value?: boolean;
  array_value?: { values?: DecodedValue[] };
}

export interface DecodedLogRecord {
  time_unix_nano: string;
  observed_time_unix_nano?: string;
  severity_number?: string;
  severity_text?: string;
  event_name?: string;
  body?: DecodedValue;
  attributes?: { key: string; value: DecodedValue }[];
}

export interface DecodedRequest {
  error?: string;
  resource_logs?: {
    resource?: { attributes?: { key: string; value: DecodedValue }[] };
    scope_logs?: { scope?: { name?: string; version?: string }; log_records?: DecodedLogRecord[] }[];
  }[];
}

/** Makes the decoder's environment ready (the first time it installs from PyPI). */
export async function ensureOtlpDecoder(): Promise<string> {
  return pythonVenv('otlp-proto', REQUIREMENTS);
}

export async function decodeOtlpLogs(requests: readonly { raw: Buffer; headers: IncomingHttpHeaders }[]): Promise<DecodedRequest[]> {
  const python = await ensureOtlpDecoder();
  const input = JSON.stringify(
    requests.map((r) => ({ body_b64: r.raw.toString('base64'), content_type: r.headers['content-type'] ?? '', content_encoding: r.headers['content-encoding'] ?? '' })),
  );
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = execFile(python, [join(PROJECT_ROOT, 'test/support/otlp.decode.py')], { maxBuffer: 256 * 1024 * 1024 }, (err, out) => (err ? reject(err) : resolve(out)));
    child.stdin!.end(input);
  });
  return JSON.parse(stdout) as DecodedRequest[];
}

/** A decoded attribute value as a plain JS value (int64 arrives as a decimal string). */
export function plain(v: DecodedValue | undefined): unknown {
  if (!v) return undefined;
  if (v.string_value !== undefined) return v.string_value;
  if (v.int_value !== undefined) return Number(v.int_value);
  if (v.double_value !== undefined) return v.double_value;
  if (v.bool_value !== undefined) return v.bool_value;
  if (v.array_value) return (v.array_value.values ?? []).map(plain);
  return undefined;
}

export function attributesOf(r: DecodedLogRecord): Record<string, unknown> {
  return Object.fromEntries((r.attributes ?? []).map((a) => [a.key, plain(a.value)]));
}

export function recordsOf(d: DecodedRequest): DecodedLogRecord[] {
  return (d.resource_logs ?? []).flatMap((rl) => (rl.scope_logs ?? []).flatMap((sl) => sl.log_records ?? []));
}
