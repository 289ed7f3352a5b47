// What the receiver works with once a request is decoded, whatever its encoding: spans and log
// records flattened out of their resource and scope, ids in lowercase hex, times in milliseconds,
// attribute values as plain JSON values (int64 as a number when exact, else its decimal string;
// bytes as hex; kvlists as objects). Protobuf and JSON decode into exactly this, so the mapping to
// audit events never knows which encoding came in.

export type AttrValue = string | number | boolean | null | AttrValue[] | { [key: string]: AttrValue };
/** Attributes by key (a Map: keys are data, never object properties); a repeated key keeps the last value. */
export type Attributes = Map<string, AttrValue>;

export interface Scope {
  name: string;
  version: string;
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startMs: number;
  endMs: number;
  attributes: Attributes;
  /** StatusCode: 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string };
  resource: Attributes;
  scope: Scope;
}

export interface OtlpLogRecord {
  timeMs: number;
  observedMs: number;
  traceId: string;
  spanId: string;
  /** LogRecord.event_name (OTLP 1.5+); empty when the event name travels as an attribute or the body. */
  eventName: string;
  body: AttrValue;
  attributes: Attributes;
  resource: Attributes;
  scope: Scope;
}

export const SPAN_KIND = { server: 2, client: 3 } as const;
export const STATUS_ERROR = 2;

/** AnyValue nesting (arrays and kvlists) beyond this is refused: no legitimate attribute is that deep. */
export const MAX_VALUE_DEPTH = 16;

/** A request that cannot be read as OTLP: answered 400 with `reason`, and nothing of it is stored. */
export class OtlpDecodeError extends Error {}

const NANOS_PER_MS = 1_000_000n;

/** Milliseconds from nanoseconds since the epoch given as bigint, decimal string or number. */
export function nanosToMs(n: bigint | string | number, field: string): number {
  let big: bigint;
  if (typeof n === 'bigint') big = n;
  else if (typeof n === 'number') {
    if (!Number.isFinite(n) || n < 0) throw new OtlpDecodeError(`${field}: not a time in nanoseconds`);
    big = BigInt(Math.trunc(n));
  } else {
    if (!/^\d{1,20}$/.test(n)) throw new OtlpDecodeError(`${field}: not a time in nanoseconds`);
    big = BigInt(n);
  }
  if (big < 0n || big > 0xffffffffffffffffn) throw new OtlpDecodeError(`${field}: out of range`);
  return Number(big / NANOS_PER_MS);
}

/** An int64 as a JSON number when it is exact, else as its decimal string. */
export function int64Value(big: bigint): number | string {
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big.toString();
}

/** The string form of an attribute value, for attributes that name things (ids, names, addresses). */
export function text(v: AttrValue | undefined): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** The first of `keys` present as text in any of `sources`, sources tried in order for each key. */
export function firstText(sources: readonly Attributes[], keys: readonly string[]): string | undefined {
  for (const key of keys) {
    for (const s of sources) {
      const t = text(s.get(key))?.trim();
      if (t) return t;
    }
  }
  return undefined;
}

/**
 * A value the conventions want structured but allow as a JSON string (gen_ai.tool.call.arguments,
 * .result, gen_ai.tool.definitions): parsed when it is JSON, kept as it came otherwise.
 */
export function structured(v: AttrValue | undefined): AttrValue | undefined {
  if (typeof v !== 'string') return v;
  const t = v.trim();
  if (!/^[[{"]/.test(t)) return v;
  try {
    return JSON.parse(t) as AttrValue;
  } catch {
    return v;
  }
}
