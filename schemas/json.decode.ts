// First step of every consumer: raw Kafka value -> validated value of a schema, or a reason for the DLQ.
// Pure and never throws. Used for events (event.decode.ts, which picks the schema by the event's
// `schema_version` between the two halves) and alerts (alert.decode.ts).
import type { z } from 'zod';

export type DecodeReason = 'empty' | 'oversize' | 'not_utf8' | 'bad_json' | 'not_object' | 'unknown_version' | 'schema';

export type Decoded<T> =
  | { ok: true; value: T }
  | { ok: false; reason: DecodeReason; step: 'decode' | 'validate'; detail: string };

const MAX_DETAIL_CHARS = 1024;
const MAX_ISSUES = 5;
const MAX_KEY_CHARS = 64;

// fatal: invalid UTF-8 must be rejected, not silently replaced with U+FFFD and stored.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Checks size on the raw bytes, then UTF-8, JSON and the schema. `fastValid` (optional) accepts
 * certainly-valid values without zod's slower parse; anything else gets zod's verdict and message.
 */
export function decodeJson<T>(bytes: Buffer | null, maxBytes: number, schema: z.ZodType<T>, fastValid?: (v: unknown) => boolean): Decoded<T> {
  const o = decodeObject(bytes, maxBytes);
  return o.ok ? validateValue(o.value, schema, fastValid) : o;
}

/** The first half of decodeJson: size, UTF-8 and JSON, down to a plain object. */
export function decodeObject(bytes: Buffer | null, maxBytes: number): Decoded<Record<string, unknown>> {
  try {
    if (bytes === null || bytes.length === 0) return fail('empty', 'decode', 'empty message value');
    // Size is checked on the raw bytes first so an oversize message costs no decoding or parsing.
    if (bytes.length > maxBytes) return fail('oversize', 'decode', `${bytes.length} bytes > limit ${maxBytes}`);

    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      return fail('not_utf8', 'decode', 'value is not valid UTF-8');
    }

    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      return fail('bad_json', 'decode', describeJsonError(err));
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return fail('not_object', 'decode', `JSON ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}, expected an object`);
    }
    return { ok: true, value: value as Record<string, unknown> };
  } catch (err) {
    // Not expected; kept so one poison message can never crash the consumer.
    return fail('bad_json', 'decode', `decoder failed: ${err instanceof Error ? err.name : 'unknown error'}`);
  }
}

/** The second half of decodeJson: the schema's verdict on a decoded value. */
export function validateValue<T>(value: unknown, schema: z.ZodType<T>, fastValid?: (v: unknown) => boolean): Decoded<T> {
  try {
    if (fastValid?.(value)) return { ok: true, value: value as T };
    const parsed = schema.safeParse(value);
    if (parsed.success) return { ok: true, value: parsed.data };
    return fail('schema', 'validate', describeIssues(parsed.error.issues));
  } catch (err) {
    // Not expected; kept so one poison message can never crash the consumer.
    return fail('schema', 'validate', `validator failed: ${err instanceof Error ? err.name : 'unknown error'}`);
  }
}

export function fail(reason: DecodeReason, step: 'decode' | 'validate', detail: string): { ok: false; reason: DecodeReason; step: 'decode' | 'validate'; detail: string } {
  return { ok: false, reason, step, detail: bound(detail) };
}

/** V8's JSON.parse messages quote the payload (`"hunter2..." is not valid JSON`); keep only the position. */
function describeJsonError(err: unknown): string {
  const message = err instanceof Error ? err.message : '';
  const position = /at position (\d+)/.exec(message)?.[1];
  if (position !== undefined) return `invalid JSON at position ${position}`;
  if (/end of JSON input|Unterminated/i.test(message)) return 'invalid JSON: unexpected end of input';
  return 'invalid JSON';
}

interface Issue {
  path: PropertyKey[];
  message: string;
  code?: string;
  keys?: string[];
}

function describeIssues(issues: readonly Issue[]): string {
  const shown = issues.slice(0, MAX_ISSUES).map((i) => `${formatPath(i.path)}: ${issueMessage(i)}`);
  if (issues.length > MAX_ISSUES) shown.push(`(+${issues.length - MAX_ISSUES} more)`);
  return shown.join('; ');
}

/** Unknown key names come from the payload, so they are shortened and stripped of control characters. */
function issueMessage(issue: Issue): string {
  if (issue.code !== 'unrecognized_keys' || !issue.keys) return issue.message;
  return `unknown field(s) ${issue.keys.slice(0, 5).map(safeKey).join(', ')}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${/^\w+$/.test(String(p)) ? String(p) : safeKey(String(p))}`))
    .join('')
    .replace(/^\./, '');
}

function safeKey(key: string): string {
  return JSON.stringify(key.length > MAX_KEY_CHARS ? `${key.slice(0, MAX_KEY_CHARS)}…` : key);
}

function bound(s: string): string {
  return s.length <= MAX_DETAIL_CHARS ? s : `${s.slice(0, MAX_DETAIL_CHARS - 1)}…`;
}
