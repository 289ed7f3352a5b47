// Deterministic junk that ingest must reject: every item should end up in the DLQ, none in ClickHouse.
import { DEFAULT_EVENT_MAX_BYTES } from '../../schemas/event.v1.ts';
import { eventFrom, int, pick, seededRng, type Rng } from './events.factory.ts';
import { toV2 } from './events.v2.factory.ts';

export interface InvalidInput {
  bytes: Buffer;
  kind: string;
}

type Json = Record<string, unknown>;
type Maker = (rng: Rng, maxBytes: number) => Buffer;

const validEvent = (rng: Rng): Json =>
  eventFrom(rng, Date.UTC(2025, 5, 2) + int(rng, 0, 86_400_000), { kind: 'tool_call' }) as unknown as Json;
const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));

/** Sets `path` (dot-separated) in `obj`, creating parents, and returns `obj`. */
function setPath(obj: Json, path: string, value: unknown): Json {
  const keys = path.split('.');
  let cur = obj;
  for (const k of keys.slice(0, -1)) cur = (cur[k] ??= {}) as Json;
  cur[keys.at(-1)!] = value;
  return obj;
}

function deletePath(obj: Json, path: string): Json {
  const keys = path.split('.');
  let cur = obj;
  for (const k of keys.slice(0, -1)) cur = cur[k] as Json;
  delete cur[keys.at(-1)!];
  return obj;
}

// Each value here is a type the field can never accept.
const WRONG_TYPES: readonly [string, readonly unknown[]][] = [
  ['schema_version', ['1', true, null]],
  ['event_id', [12345, null, ['0190b2a4-7c1e-7abc-8def-0123456789ab']]],
  ['ts', [1_717_318_800_000, null, { iso: '2025-06-02T09:00:00Z' }]],
  ['tenant_id', [42, false, ['acme']]],
  ['kind', [1, null, ['tool_call']]],
  ['mcp', ['tools/call', [], 7]],
  ['mcp.method', [0, {}, null]],
  ['mcp.request_id', [1.5, true, { id: 1 }]],
  ['actor', ['alice', null, []]],
  ['actor.user_id', [1001, null, ['alice']]],
  ['server.transport', [1, null, ['stdio']]],
  ['tool', ['read_file', 3, []]],
  ['tool.name', [null, 7, { name: 'read_file' }]],
  ['arguments.size_bytes', ['12', -1, 1.5]],
  ['result.status', [200, true, null]],
  ['duration_ms', ['15ms', -3, null]],
];
const REQUIRED = ['schema_version', 'event_id', 'ts', 'tenant_id', 'kind', 'mcp', 'actor', 'server', 'mcp.method', 'actor.user_id', 'server.name', 'server.transport', 'tool', 'tool.name', 'arguments.sha256'];
// Values of the right type that break a format, bound or rule of the contract.
const BAD_VALUES: readonly [string, unknown][] = [
  ['tenant_id', 'acme:prod'],
  ['tenant_id', ''],
  ['event_id', 'not-a-uuid'],
  ['event_id', '01ARZ3NDEKTSV4RRFFQ69G5FAVI'],
  ['ts', '2025-06-02 09:00:00'],
  ['ts', '2025-06-02T09:00:00'],
  ['ts', '2025-02-30T09:00:00Z'],
  ['kind', 'tool_invoke'],
  // 2 is a version ingest reads, but this v1 body is not a valid v2 event; 3 is a version it does not read.
  ['schema_version', 2],
  ['schema_version', 3],
  ['arguments.sha256', 'ABCDEF'.repeat(10) + 'ABCD'],
  ['result.sha256', 'xyz'],
  ['server.transport', 'websocket'],
  ['trace.trace_id', '0'.repeat(31)],
  ['duration_ms', 86_400_001],
  ['tool.name', ''],
];
// Values that break a rule only v2 has (on a v2 tool call, which always has arguments and fingerprints).
const V2_BAD_VALUES: readonly [string, unknown][] = [
  ['arguments.sha256', 'a'.repeat(64)],
  ['arguments.hmac_sha256', 'A'.repeat(64)],
  ['arguments.keys', ['']],
  ['arguments.secrets', Array.from({ length: 33 }, (_, i) => `kind_${i}`)],
  ['arguments.truncated', 'yes'],
  ['result.truncated', 1],
  ['fingerprints.arguments', ['EMAIL:0123456789abcdef']],
  ['fingerprints.result', ['email:0123456789abcde']],
  ['fingerprints.destinations', ['iban:0123456789abcdef']],
  ['fingerprints.extra', []],
  ['episode.basis', 'mcp_session'],
  ['episode.id', ''],
  ['actor.conversation_id', 'c'.repeat(257)],
  ['hash_key_id', 'key id with spaces'],
  ['hash_key_id', undefined],
];

const INVALID_UTF8: readonly number[][] = [[0xff], [0xc3, 0x28], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]];
const NOT_OBJECTS = ['[]', '42', 'null', '"event"', 'true', '-0.5e3', '[{"schema_version":1}]'];

const makers: Record<string, Maker> = {
  truncated_json(rng) {
    // Any proper prefix of a serialized object is invalid JSON: its closing brace is missing.
    const b = json(validEvent(rng));
    return b.subarray(0, int(rng, 1, b.length - 1));
  },
  wrong_type(rng) {
    const [path, values] = pick(rng, WRONG_TYPES);
    return json(setPath(validEvent(rng), path, pick(rng, values)));
  },
  bad_value(rng) {
    const [path, value] = pick(rng, BAD_VALUES);
    return json(setPath(validEvent(rng), path, value));
  },
  v2_bad_value(rng) {
    const e = toV2(rng, validEvent(rng) as never) as unknown as Json;
    // An episode and fingerprints are always there to be broken.
    e.episode ??= { id: 'ep-1', basis: 'agent' };
    const [path, value] = pick(rng, V2_BAD_VALUES);
    return json(value === undefined ? deletePath(e, path) : setPath(e, path, value));
  },
  missing_required(rng) {
    return json(deletePath(validEvent(rng), pick(rng, REQUIRED)));
  },
  unknown_field(rng) {
    const where = pick(rng, ['', 'mcp.', 'actor.', 'server.', 'tool.', 'arguments.']);
    const key = pick(rng, ['x_debug', 'password', 'tool_class', 'schemaVersion', '__proto__', 'extra']);
    const e = validEvent(rng);
    // Parsed `__proto__` becomes an own key, just as JSON.parse would make it in ingest.
    const text = JSON.stringify(setPath(e, `${where}${key === '__proto__' ? 'PROTO_PLACEHOLDER' : key}`, int(rng, 0, 9)));
    return Buffer.from(text.replace('"PROTO_PLACEHOLDER"', '"__proto__"'));
  },
  oversize(rng, maxBytes) {
    // Schema-valid apart from its size, padded with legal JSON whitespace: only the size check can reject it.
    const b = json(validEvent(rng));
    return Buffer.concat([b, Buffer.alloc(Math.max(0, maxBytes - b.length) + int(rng, 1, 4096), 0x20)]);
  },
  binary_garbage(rng) {
    return Buffer.from(Array.from({ length: int(rng, 1, 2048) }, () => int(rng, 0, 255)));
  },
  invalid_utf8(rng) {
    // Valid JSON and a valid event except for bytes no UTF-8 decoder may accept, inside a string.
    const text = JSON.stringify(setPath(validEvent(rng), 'actor.user_id', 'alice@@@@acme.com'));
    const at = text.indexOf('@@@@');
    return Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(pick(rng, INVALID_UTF8)), Buffer.from(text.slice(at + 4))]);
  },
  huge_string(rng) {
    const path = pick(rng, ['arguments.preview', 'tool.name', 'actor.user_id', 'mcp.session_id', 'result.error_type']);
    return json(setPath(validEvent(rng), path, 'A'.repeat(100 * 1024 + int(rng, 0, 1024))));
  },
  not_object(rng) {
    return Buffer.from(pick(rng, NOT_OBJECTS));
  },
  empty() {
    return Buffer.alloc(0);
  },
  whitespace(rng) {
    return Buffer.from(pick(rng, [' ', '\n', '\t\r\n ', ' '.repeat(int(rng, 2, 100))]));
  },
  nul_bytes(rng) {
    // A raw NUL is neither JSON whitespace nor allowed unescaped in a string.
    const b = json(validEvent(rng));
    const at = pick(rng, [0, int(rng, 1, b.length - 1), b.length]);
    return Buffer.concat([b.subarray(0, at), Buffer.alloc(int(rng, 1, 8)), b.subarray(at)]);
  },
  deep_nesting(rng, maxBytes) {
    // Deep enough to hurt a recursive parser or validator, small enough to pass the size check.
    const depth = int(rng, 1_000, Math.max(1_000, Math.floor(maxBytes / 8)));
    const [open, close] = pick(rng, [['[', ']'], ['{"a":', '}']] as const);
    const junk = `${open.repeat(depth)}1${close.repeat(depth)}`;
    if (rng() < 0.5) return Buffer.from(junk);
    const e = JSON.stringify(setPath(validEvent(rng), 'mcp.request_id', 'JUNK_PLACEHOLDER'));
    return Buffer.from(e.replace('"JUNK_PLACEHOLDER"', junk));
  },
};

export const invalidKinds: readonly string[] = Object.keys(makers);

/** `n` inputs, kinds taken in turn so every kind appears once `n` >= their count. Same seed, same bytes. */
export function makeInvalidInputs(n = 1000, maxBytes = DEFAULT_EVENT_MAX_BYTES, seed = 0x5eed): InvalidInput[] {
  const rng = seededRng(seed);
  return Array.from({ length: n }, (_, i) => {
    const kind = invalidKinds[i % invalidKinds.length]!;
    return { kind, bytes: makers[kind]!(rng, maxBytes) };
  });
}
