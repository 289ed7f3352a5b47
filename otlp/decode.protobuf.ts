// OTLP/HTTP protobuf (`application/x-protobuf`) to the receiver's model. The bytes are decoded by
// the OpenTelemetry project's generated message types (otlp.proto.ts); this file only walks the
// decoded messages, checks ids and nesting, and flattens resources and scopes onto each item.
import { LogsRequest, TraceRequest, type Decoded } from './otlp.proto.ts';
import { MAX_VALUE_DEPTH, OtlpDecodeError, int64Value, nanosToMs, type AttrValue, type Attributes, type OtlpLogRecord, type OtlpSpan, type Scope } from './otlp.model.ts';

const has = (o: Decoded, k: string) => Object.hasOwn(o, k);
const list = (v: unknown): Decoded[] => (Array.isArray(v) ? (v as Decoded[]) : []);
const obj = (v: unknown): Decoded => (v !== null && typeof v === 'object' ? (v as Decoded) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** A 64-bit integer as protobufjs gives it: a number, or a Long-like `{low, high, unsigned}`. */
function toBigInt(v: unknown, signed: boolean): bigint {
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  if (typeof v === 'bigint') return v;
  const l = obj(v);
  if (typeof l.low !== 'number' || typeof l.high !== 'number') return 0n;
  const u = (BigInt(l.high >>> 0) << 32n) | BigInt(l.low >>> 0);
  return signed && !l.unsigned ? BigInt.asIntN(64, u) : u;
}

function hexId(v: unknown, bytes: number, field: string): string {
  if (!(v instanceof Uint8Array) || v.length === 0) return '';
  if (v.length !== bytes) throw new OtlpDecodeError(`${field}: must be ${bytes} bytes, got ${v.length}`);
  return Buffer.from(v.buffer, v.byteOffset, v.length).toString('hex');
}

function anyValue(v: Decoded, depth: number, field: string): AttrValue {
  if (depth > MAX_VALUE_DEPTH) throw new OtlpDecodeError(`${field}: value nested deeper than ${MAX_VALUE_DEPTH} levels`);
  if (has(v, 'stringValue')) return str(v.stringValue);
  if (has(v, 'boolValue')) return v.boolValue === true;
  if (has(v, 'intValue')) return int64Value(toBigInt(v.intValue, true));
  if (has(v, 'doubleValue')) return typeof v.doubleValue === 'number' && Number.isFinite(v.doubleValue) ? v.doubleValue : String(v.doubleValue);
  if (has(v, 'bytesValue')) return v.bytesValue instanceof Uint8Array ? Buffer.from(v.bytesValue).toString('hex') : '';
  if (has(v, 'arrayValue')) return list(obj(v.arrayValue).values).map((x) => anyValue(obj(x), depth + 1, field));
  if (has(v, 'kvlistValue')) return Object.fromEntries(list(obj(v.kvlistValue).values).map((kv) => [str(kv.key), anyValue(obj(kv.value), depth + 1, field)]));
  return null;
}

function attributes(kvs: unknown, field: string): Attributes {
  const out: Attributes = new Map();
  for (const kv of list(kvs)) out.set(str(kv.key), anyValue(obj(kv.value), 1, `${field}.${str(kv.key).slice(0, 64)}`));
  return out;
}

function scopeOf(s: unknown): Scope {
  const o = obj(s);
  return { name: str(o.name), version: str(o.version) };
}

/** Runs a decode; anything the generated decoder throws (truncated or malformed bytes, stack overflow) is a 400. */
function decodeWith(type: { decode(b: Uint8Array): Decoded }, body: Buffer): Decoded {
  try {
    return type.decode(body);
  } catch (err) {
    throw new OtlpDecodeError(`not a valid OTLP protobuf message: ${(err as Error).message.slice(0, 200)}`);
  }
}

export function decodeTraceProtobuf(body: Buffer): OtlpSpan[] {
  const req = decodeWith(TraceRequest, body);
  const out: OtlpSpan[] = [];
  for (const [r, rs] of list(req.resourceSpans).entries()) {
    const resource = attributes(obj(rs.resource).attributes, `resourceSpans[${r}].resource`);
    for (const ss of list(rs.scopeSpans)) {
      const scope = scopeOf(ss.scope);
      for (const [i, s] of list(ss.spans).entries()) {
        const where = `resourceSpans[${r}].spans[${i}]`;
        const status = obj(s.status);
        out.push({
          traceId: hexId(s.traceId, 16, `${where}.traceId`),
          spanId: hexId(s.spanId, 8, `${where}.spanId`),
          parentSpanId: hexId(s.parentSpanId, 8, `${where}.parentSpanId`),
          name: str(s.name),
          kind: typeof s.kind === 'number' ? s.kind : 0,
          startMs: nanosToMs(toBigInt(s.startTimeUnixNano, false), `${where}.startTimeUnixNano`),
          endMs: nanosToMs(toBigInt(s.endTimeUnixNano, false), `${where}.endTimeUnixNano`),
          attributes: attributes(s.attributes, `${where}.attributes`),
          status: { code: typeof status.code === 'number' ? status.code : 0, message: str(status.message) },
          resource,
          scope,
        });
      }
    }
  }
  return out;
}

export function decodeLogsProtobuf(body: Buffer): OtlpLogRecord[] {
  const req = decodeWith(LogsRequest, body);
  const out: OtlpLogRecord[] = [];
  for (const [r, rl] of list(req.resourceLogs).entries()) {
    const resource = attributes(obj(rl.resource).attributes, `resourceLogs[${r}].resource`);
    for (const sl of list(rl.scopeLogs)) {
      const scope = scopeOf(sl.scope);
      for (const [i, l] of list(sl.logRecords).entries()) {
        const where = `resourceLogs[${r}].logRecords[${i}]`;
        out.push({
          timeMs: nanosToMs(toBigInt(l.timeUnixNano, false), `${where}.timeUnixNano`),
          observedMs: nanosToMs(toBigInt(l.observedTimeUnixNano, false), `${where}.observedTimeUnixNano`),
          traceId: hexId(l.traceId, 16, `${where}.traceId`),
          spanId: hexId(l.spanId, 8, `${where}.spanId`),
          eventName: str(l.eventName),
          body: has(l, 'body') ? anyValue(obj(l.body), 1, `${where}.body`) : null,
          attributes: attributes(l.attributes, `${where}.attributes`),
          resource,
          scope,
        });
      }
    }
  }
  return out;
}
