// OTLP/HTTP JSON (`application/json`) to the receiver's model, per the OTLP JSON encoding: field
// names in lowerCamelCase (unknown ones ignored), trace and span ids as hex, 64-bit integers as
// decimal strings or numbers, enums as integers (their names are taken too). The shape is checked
// with zod; nesting is measured first without recursion, so a hostile depth is refused cheaply.
import { z } from 'zod';
import { MAX_VALUE_DEPTH, OtlpDecodeError, int64Value, nanosToMs, type AttrValue, type Attributes, type OtlpLogRecord, type OtlpSpan, type Scope } from './otlp.model.ts';

// An AnyValue level is two JSON levels (the AnyValue object, then its arrayValue/kvlistValue
// object) plus the values array and, for kvlists, the KeyValue object; the envelope adds about ten.
const MAX_JSON_DEPTH = 12 + 4 * MAX_VALUE_DEPTH;

const hex = (bytes: number) =>
  z
    .string()
    .regex(new RegExp(`^(?:[0-9a-fA-F]{${bytes * 2}})?$`), `${bytes * 2} hex digits`)
    .transform((s) => s.toLowerCase());
const int64 = z.union([z.string().regex(/^-?\d{1,20}$/, 'a decimal integer'), z.number().int()]);
const nanos = z.union([z.string().regex(/^\d{1,20}$/, 'nanoseconds as a decimal integer'), z.number().int().min(0)]);
const enumOf = (names: readonly string[]) =>
  z.union([z.number().int().min(0).max(names.length - 1), z.enum(names as [string, ...string[]]).transform((n) => names.indexOf(n))]);

type AnyValueIn = {
  stringValue?: string | undefined;
  boolValue?: boolean | undefined;
  intValue?: string | number | undefined;
  doubleValue?: number | string | undefined;
  bytesValue?: string | undefined;
  arrayValue?: { values?: AnyValueIn[] | undefined } | undefined;
  kvlistValue?: { values?: KeyValueIn[] | undefined } | undefined;
};
type KeyValueIn = { key: string; value?: AnyValueIn | undefined };

const anyValue: z.ZodType<AnyValueIn> = z.lazy(() =>
  z.object({
    stringValue: z.string().optional(),
    boolValue: z.boolean().optional(),
    intValue: int64.optional(),
    doubleValue: z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]).optional(),
    bytesValue: z.base64('base64').optional(),
    arrayValue: z.object({ values: z.array(anyValue).optional() }).optional(),
    kvlistValue: z.object({ values: z.array(keyValue).optional() }).optional(),
  }),
);
const keyValue: z.ZodType<KeyValueIn> = z.lazy(() => z.object({ key: z.string(), value: anyValue.optional() }));
const attrs = z.array(keyValue).optional();
const resource = z.object({ attributes: attrs }).optional();
const scope = z.object({ name: z.string().optional(), version: z.string().optional() }).optional();

const span = z.object({
  traceId: hex(16).optional(),
  spanId: hex(8).optional(),
  parentSpanId: hex(8).optional(),
  name: z.string().optional(),
  kind: enumOf(['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER']).optional(),
  startTimeUnixNano: nanos.optional(),
  endTimeUnixNano: nanos.optional(),
  attributes: attrs,
  status: z.object({ code: enumOf(['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR']).optional(), message: z.string().optional() }).optional(),
});
const traceRequest = z.object({
  resourceSpans: z
    .array(z.object({ resource, scopeSpans: z.array(z.object({ scope, spans: z.array(span).optional() })).optional() }))
    .optional(),
});

const logRecord = z.object({
  timeUnixNano: nanos.optional(),
  observedTimeUnixNano: nanos.optional(),
  traceId: hex(16).optional(),
  spanId: hex(8).optional(),
  eventName: z.string().optional(),
  body: anyValue.optional(),
  attributes: attrs,
});
const logsRequest = z.object({
  resourceLogs: z
    .array(z.object({ resource, scopeLogs: z.array(z.object({ scope, logRecords: z.array(logRecord).optional() })).optional() }))
    .optional(),
});

/** Deepest nesting of a parsed JSON value, measured without recursion; stops counting past `limit`. */
function depthOf(root: unknown, limit: number): number {
  let max = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) max = d;
    if (max > limit) return max;
    for (const child of Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
  }
  return max;
}

function parse<T>(schema: z.ZodType<T>, body: Buffer): T {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new OtlpDecodeError(`not valid JSON: ${(err as Error).message.slice(0, 200)}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new OtlpDecodeError('an OTLP JSON request is an object');
  if (depthOf(json, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) throw new OtlpDecodeError(`nested deeper than ${MAX_JSON_DEPTH} levels`);
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new OtlpDecodeError(`${issue.path.join('.') || '(request)'}: ${issue.message}`.slice(0, 300));
  }
  return parsed.data;
}

function value(v: AnyValueIn | undefined, depth = 1): AttrValue {
  if (depth > MAX_VALUE_DEPTH) throw new OtlpDecodeError(`an attribute value is nested deeper than ${MAX_VALUE_DEPTH} levels`);
  if (!v) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return int64Value(BigInt(v.intValue));
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.bytesValue !== undefined) return Buffer.from(v.bytesValue, 'base64').toString('hex');
  if (v.arrayValue) return (v.arrayValue.values ?? []).map((x) => value(x, depth + 1));
  if (v.kvlistValue) return Object.fromEntries((v.kvlistValue.values ?? []).map((kv) => [kv.key, value(kv.value, depth + 1)]));
  return null;
}

function attributes(kvs: KeyValueIn[] | undefined): Attributes {
  return new Map((kvs ?? []).map((kv) => [kv.key, value(kv.value)]));
}

const scopeOf = (s: { name?: string | undefined; version?: string | undefined } | undefined): Scope => ({ name: s?.name ?? '', version: s?.version ?? '' });

export function decodeTraceJson(body: Buffer): OtlpSpan[] {
  const req = parse(traceRequest, body);
  const out: OtlpSpan[] = [];
  for (const [r, rs] of (req.resourceSpans ?? []).entries()) {
    const res = attributes(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const [i, s] of (ss.spans ?? []).entries()) {
        const where = `resourceSpans.${r}.spans.${i}`;
        out.push({
          traceId: s.traceId ?? '',
          spanId: s.spanId ?? '',
          parentSpanId: s.parentSpanId ?? '',
          name: s.name ?? '',
          kind: s.kind ?? 0,
          startMs: nanosToMs(s.startTimeUnixNano ?? 0, `${where}.startTimeUnixNano`),
          endMs: nanosToMs(s.endTimeUnixNano ?? 0, `${where}.endTimeUnixNano`),
          attributes: attributes(s.attributes),
          status: { code: s.status?.code ?? 0, message: s.status?.message ?? '' },
          resource: res,
          scope: scopeOf(ss.scope),
        });
      }
    }
  }
  return out;
}

export function decodeLogsJson(body: Buffer): OtlpLogRecord[] {
  const req = parse(logsRequest, body);
  const out: OtlpLogRecord[] = [];
  for (const [r, rl] of (req.resourceLogs ?? []).entries()) {
    const res = attributes(rl.resource?.attributes);
    for (const sl of rl.scopeLogs ?? []) {
      for (const [i, l] of (sl.logRecords ?? []).entries()) {
        const where = `resourceLogs.${r}.logRecords.${i}`;
        out.push({
          timeMs: nanosToMs(l.timeUnixNano ?? 0, `${where}.timeUnixNano`),
          observedMs: nanosToMs(l.observedTimeUnixNano ?? 0, `${where}.observedTimeUnixNano`),
          traceId: l.traceId ?? '',
          spanId: l.spanId ?? '',
          eventName: l.eventName ?? '',
          body: value(l.body),
          attributes: attributes(l.attributes),
          resource: res,
          scope: scopeOf(sl.scope),
        });
      }
    }
  }
  return out;
}
