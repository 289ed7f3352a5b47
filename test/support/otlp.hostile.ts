// Malformed and hostile OTLP requests, from a seeded fast-check generator: truncated protobuf,
// wrong types in JSON, ids of the wrong length, attribute values nested far too deep, bodies too
// big as sent or once un-gzipped, broken gzip and JSON, unknown media types and encodings. Every
// one of them must be refused whole with a 4xx and a reason.
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { anyValue, logsRequest, toProtobuf, traceRequest } from './otlp.payloads.ts';

export interface HostileRequest {
  category: string;
  path: '/v1/traces' | '/v1/logs';
  contentType: string;
  contentEncoding?: string;
  body: Buffer;
}

type Json = Record<string, unknown>;

const mcpSpan = (tool: string, args: unknown) => ({
  name: `tools/call ${tool}`,
  startMs: Date.now(),
  attrs: { 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': tool, 'enduser.id': 'mallory@acme.example', 'gen_ai.tool.call.arguments': args },
});
const validTrace = (tool: string, args: unknown): Json => traceRequest({ 'service.name': 'hostile' }, [mcpSpan(tool, args)]);
const validLogs = (tool: string): Json =>
  logsRequest({ 'service.name': 'claude-code' }, [{ timeMs: Date.now(), body: 'claude_code.tool_result', attrs: { 'event.name': 'tool_result', tool_name: tool, success: 'true', 'user.email': 'mallory@acme.example' } }]);

const tool = fc.stringMatching(/^[a-z_]{1,20}$/);
const args = fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.oneof(fc.string({ maxLength: 40 }), fc.integer()), { maxKeys: 4 });

const PLACEHOLDER = '__deep__';

/** A valid JSON request whose arguments attribute is an AnyValue nested `depth` levels (written as text: no recursion). */
function deepJson(t: string, depth: number, kv: boolean): Buffer {
  const open = kv ? '{"kvlistValue":{"values":[{"key":"k","value":' : '{"arrayValue":{"values":[';
  const close = kv ? '}]}}' : ']}}';
  const deep = `${open.repeat(depth)}{"stringValue":"x"}${close.repeat(depth)}`;
  return Buffer.from(JSON.stringify(validTrace(t, PLACEHOLDER)).replace(`{"stringValue":"${PLACEHOLDER}"}`, deep));
}

/** A protobuf varint. */
function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}
/** A length-delimited field. */
const ld = (field: number, bytes: Buffer | string) => {
  const b = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  return Buffer.concat([varint((field << 3) | 2), varint(b.length), b]);
};

/** An ExportTraceServiceRequest with one span whose arguments are an AnyValue nested `depth` kvlists, encoded field by field without recursion. */
function deepProtobuf(depth: number): Buffer {
  let any = ld(1, 'x'); // AnyValue.string_value
  for (let i = 0; i < depth; i++) any = ld(6, ld(1, Buffer.concat([ld(1, 'k'), ld(2, any)]))); // AnyValue.kvlist_value { values { key, value } }
  const attr = Buffer.concat([ld(1, 'gen_ai.tool.call.arguments'), ld(2, any)]);
  const span = Buffer.concat([ld(1, Buffer.alloc(16, 0xab)), ld(2, Buffer.alloc(8, 0xcd)), ld(5, 'tools/call deep'), ld(9, attr)]);
  return ld(1, ld(2, ld(2, span))); // request.resource_spans { scope_spans { spans } }
}

// Values of the wrong type for a field of a valid JSON request; each makes the request invalid.
const wrongTypes: ((r: Json) => Json)[] = [
  () => ({ resourceSpans: 'spans' }),
  () => ({ resourceSpans: [{ scopeSpans: { spans: [] } }] }),
  (r) => patchSpan(r, { traceId: 'not-hex-at-all' }),
  (r) => patchSpan(r, { traceId: 12345 }),
  (r) => patchSpan(r, { spanId: 'abcd' }),
  (r) => patchSpan(r, { startTimeUnixNano: 'yesterday' }),
  (r) => patchSpan(r, { startTimeUnixNano: -5 }),
  (r) => patchSpan(r, { kind: 99 }),
  (r) => patchSpan(r, { kind: 'SERVER-ISH' }),
  (r) => patchSpan(r, { name: { nested: true } }),
  (r) => patchSpan(r, { attributes: 'key=value' }),
  (r) => patchSpan(r, { attributes: [{ key: 7, value: { stringValue: 'x' } }] }),
  (r) => patchSpan(r, { attributes: [{ key: 'k', value: { intValue: '1.5' } }] }),
  (r) => patchSpan(r, { attributes: [{ key: 'k', value: { boolValue: 'yes' } }] }),
  (r) => patchSpan(r, { attributes: [{ key: 'k', value: { bytesValue: '***not base64***' } }] }),
  (r) => patchSpan(r, { status: { code: 'broken' } }),
  (r) => patchSpan(r, { status: { code: 9 } }),
];

function patchSpan(r: Json, patch: Json): Json {
  const copy = structuredClone(r) as { resourceSpans: { scopeSpans: { spans: Json[] }[] }[] };
  Object.assign(copy.resourceSpans[0]!.scopeSpans[0]!.spans[0]!, patch);
  return copy as unknown as Json;
}

const json = (o: unknown) => Buffer.from(JSON.stringify(o));
const PB = 'application/x-protobuf';
const JS = 'application/json';

export function hostileRequests(count: number, seed: number, limitBytes: number): HostileRequest[] {
  const truncated = fc.tuple(tool, args, fc.boolean(), fc.double({ min: 0, max: 1, noNaN: true })).map(([t, a, logs, at]): HostileRequest => {
    const whole = logs ? toProtobuf(validLogs(t), 'logs') : toProtobuf(validTrace(t, a), 'traces');
    // One top-level field: any cut after its first byte leaves a length that runs past the end.
    const cut = 1 + Math.floor(at * (whole.length - 2));
    return { category: 'truncated protobuf', path: logs ? '/v1/logs' : '/v1/traces', contentType: PB, body: whole.subarray(0, cut) };
  });
  const wrongType = fc.tuple(tool, args, fc.integer({ min: 0, max: wrongTypes.length - 1 })).map(([t, a, i]): HostileRequest => ({
    category: 'wrong types',
    path: '/v1/traces',
    contentType: JS,
    body: json(wrongTypes[i]!(validTrace(t, a))),
  }));
  const wrongLogTypes = fc.tuple(tool, fc.constantFrom<unknown>('body', 5, [1], { timeUnixNano: 'x' })).map(([t, bad]): HostileRequest => {
    const r = validLogs(t) as { resourceLogs: { scopeLogs: { logRecords: Json[] }[] }[] };
    const rec = r.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!;
    if (typeof bad === 'object' && bad !== null && !Array.isArray(bad)) Object.assign(rec, bad);
    else rec.body = bad;
    return { category: 'wrong types (logs)', path: '/v1/logs', contentType: JS, body: json(r) };
  });
  const badIds = fc.tuple(tool, fc.constantFrom(1, 5, 15, 17, 32), fc.boolean()).map(([t, n, trace]): HostileRequest => {
    const r = patchSpan(validTrace(t, {}), trace ? { traceId: 'ab'.repeat(n) } : { spanId: 'cd'.repeat(n === 32 ? 9 : n) });
    return { category: 'ids of the wrong length', path: '/v1/traces', contentType: PB, body: toProtobuf(r, 'traces') };
  });
  const deep = fc.tuple(tool, fc.integer({ min: 17, max: 5000 }), fc.boolean(), fc.boolean()).map(([t, depth, kv, proto]): HostileRequest => ({
    category: 'deep nesting',
    path: '/v1/traces',
    contentType: proto ? PB : JS,
    body: proto ? deepProtobuf(depth) : deepJson(t, depth, kv),
  }));
  const huge = fc.tuple(tool, fc.integer({ min: 1, max: 4 }), fc.boolean()).map(([t, times, gzip]): HostileRequest => {
    // Larger than the limit as sent, or small as sent and larger once un-gzipped.
    const r = validTrace(t, { blob: 'A'.repeat(limitBytes * times + 1) });
    const body = json(r);
    return gzip
      ? { category: 'huge attribute (gzip bomb)', path: '/v1/traces', contentType: JS, contentEncoding: 'gzip', body: gzipSync(body) }
      : { category: 'huge attribute', path: '/v1/traces', contentType: JS, body };
  });
  const brokenText = fc.tuple(tool, args, fc.double({ min: 0.05, max: 0.95, noNaN: true })).map(([t, a, at]): HostileRequest => {
    const whole = JSON.stringify(validTrace(t, a));
    return { category: 'broken JSON', path: '/v1/traces', contentType: JS, body: Buffer.from(whole.slice(0, Math.floor(whole.length * at))) };
  });
  const badGzip = fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes): HostileRequest => ({
    category: 'broken gzip',
    path: '/v1/traces',
    contentType: PB,
    contentEncoding: 'gzip',
    body: Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.from(bytes)]).subarray(0, 4 + Math.min(bytes.length, 12)),
  }));
  const media = fc.tuple(fc.constantFrom('text/plain', 'application/xml', 'application/grpc', 'multipart/form-data; boundary=x'), tool).map(([type, t]): HostileRequest => ({
    category: 'unsupported media type',
    path: '/v1/traces',
    contentType: type,
    body: json(validTrace(t, {})),
  }));
  const encoding = fc.tuple(fc.constantFrom('br', 'deflate', 'zstd', 'snappy'), tool).map(([enc, t]): HostileRequest => ({
    category: 'unsupported encoding',
    path: '/v1/traces',
    contentType: JS,
    contentEncoding: enc,
    body: json(validTrace(t, {})),
  }));
  const notObject = fc.constantFrom('[]', '"spans"', '42', 'null', 'true').map((text): HostileRequest => ({ category: 'not an object', path: '/v1/logs', contentType: JS, body: Buffer.from(text) }));
  const arb = fc.oneof(truncated, wrongType, wrongLogTypes, badIds, deep, huge, brokenText, badGzip, media, encoding, notObject);
  return fc.sample(arb, { seed, numRuns: count });
}

export { anyValue };
