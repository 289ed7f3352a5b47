// One OTLP/HTTP request body to the receiver's model: the Content-Encoding is undone (gzip, with
// the decoded size bounded so a small bomb cannot grow past the limit), then the Content-Type picks
// the decoder. Every refusal is an OtlpRequestError carrying the HTTP status OTLP prescribes.
import { gunzipSync } from 'node:zlib';
import { decodeLogsJson, decodeTraceJson } from './decode.json.ts';
import { decodeLogsProtobuf, decodeTraceProtobuf } from './decode.protobuf.ts';
import { OtlpDecodeError, type OtlpLogRecord, type OtlpSpan } from './otlp.model.ts';

export const PROTOBUF = 'application/x-protobuf';
export const JSON_TYPE = 'application/json';
export type Encoding = 'protobuf' | 'json';

/** A request refused before anything of it was used: status (400, 413, 415) and the reason told to the sender. */
export class OtlpRequestError extends Error {
  readonly statusCode: number;
  constructor(status: number, reason: string) {
    super(reason);
    this.statusCode = status;
  }
}

/** protobuf or json from a Content-Type header (parameters such as charset ignored), else null. */
export function encodingOf(contentType: string | undefined): Encoding | null {
  const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (media === PROTOBUF) return 'protobuf';
  if (media === JSON_TYPE) return 'json';
  return null;
}

/** The body with its Content-Encoding undone; gzip output is cut off at `limit` bytes (413). */
export function undoContentEncoding(body: Buffer, contentEncoding: string | undefined, limit: number): Buffer {
  const enc = (contentEncoding ?? '').trim().toLowerCase();
  if (enc === '' || enc === 'identity') return body;
  if (enc !== 'gzip' && enc !== 'x-gzip') throw new OtlpRequestError(415, `Content-Encoding ${enc.slice(0, 40)} is not supported; use gzip or none`);
  try {
    return gunzipSync(body, { maxOutputLength: limit });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new OtlpRequestError(413, `the decompressed body is larger than ${limit} bytes`);
    throw new OtlpRequestError(400, `the body is not valid gzip: ${(err as Error).message.slice(0, 120)}`);
  }
}

function decoded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof OtlpDecodeError) throw new OtlpRequestError(400, err.message);
    // A stack overflow on absurd nesting, or anything else a decoder throws on hostile bytes.
    throw new OtlpRequestError(400, `the body could not be decoded: ${(err as Error).message.slice(0, 120)}`);
  }
}

export function decodeTraces(body: Buffer, encoding: Encoding): OtlpSpan[] {
  return decoded(() => (encoding === 'protobuf' ? decodeTraceProtobuf(body) : decodeTraceJson(body)));
}

export function decodeLogs(body: Buffer, encoding: Encoding): OtlpLogRecord[] {
  return decoded(() => (encoding === 'protobuf' ? decodeLogsProtobuf(body) : decodeLogsJson(body)));
}
