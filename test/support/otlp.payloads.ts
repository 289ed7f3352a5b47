// OTLP requests for tests, written the way the OTLP JSON encoding has them (hex ids, int64 as
// strings, enums as integers), and the same request as protobuf bytes through the generated schema.
import { randomBytes } from 'node:crypto';
import { LogsRequest, TraceRequest } from '../../otlp/otlp.proto.ts';

type Json = Record<string, unknown>;

/** A JavaScript value as an OTLP AnyValue. */
export function anyValue(v: unknown): Json {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue) } };
  if (v && typeof v === 'object') return { kvlistValue: { values: Object.entries(v).map(([key, x]) => ({ key, value: anyValue(x) })) } };
  return {};
}

export const attributes = (o: Record<string, unknown>) => Object.entries(o).map(([key, value]) => ({ key, value: anyValue(value) }));
export const hexId = (bytes: number) => randomBytes(bytes).toString('hex');
const nanos = (ms: number) => `${BigInt(Math.round(ms)) * 1_000_000n}`;

export interface SpanSpec {
  name: string;
  /** 2 server (default), 3 client. */
  kind?: number;
  attrs?: Record<string, unknown>;
  startMs: number;
  durationMs?: number;
  status?: { code: number; message?: string };
  traceId?: string;
  spanId?: string;
}

export function traceRequest(resource: Record<string, unknown>, spans: SpanSpec[]): Json {
  return {
    resourceSpans: [
      {
        resource: { attributes: attributes(resource) },
        scopeSpans: [
          {
            scope: { name: 'test-instrumentation', version: '1.0.0' },
            spans: spans.map((s) => ({
              traceId: s.traceId ?? hexId(16),
              spanId: s.spanId ?? hexId(8),
              name: s.name,
              kind: s.kind ?? 2,
              startTimeUnixNano: nanos(s.startMs),
              endTimeUnixNano: nanos(s.startMs + (s.durationMs ?? 5)),
              attributes: attributes(s.attrs ?? {}),
              status: s.status ?? { code: 0 },
            })),
          },
        ],
      },
    ],
  };
}

export interface LogSpec {
  timeMs: number;
  body?: unknown;
  attrs: Record<string, unknown>;
}

export function logsRequest(resource: Record<string, unknown>, records: LogSpec[], scope = { name: 'com.anthropic.claude_code.events', version: '2.1.0' }): Json {
  return {
    resourceLogs: [
      {
        resource: { attributes: attributes(resource) },
        scopeLogs: [
          {
            scope,
            logRecords: records.map((r) => ({
              timeUnixNano: nanos(r.timeMs),
              observedTimeUnixNano: nanos(r.timeMs),
              ...(r.body !== undefined ? { body: anyValue(r.body) } : {}),
              attributes: attributes(r.attrs),
            })),
          },
        ],
      },
    ],
  };
}

/** Hex ids to bytes, recursively, for the protobuf form of an OTLP JSON request. */
function idsToBytes(v: unknown, key = ''): unknown {
  if (typeof v === 'string' && /^(traceId|spanId|parentSpanId)$/.test(key)) return Buffer.from(v, 'hex');
  if (Array.isArray(v)) return v.map((x) => idsToBytes(x));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, idsToBytes(x, k)]));
  return v;
}

/** The protobuf encoding of an OTLP JSON request object. */
export function toProtobuf(json: Json, signal: 'traces' | 'logs'): Buffer {
  const type = signal === 'traces' ? TraceRequest : LogsRequest;
  return Buffer.from(type.encode(type.fromObject(idsToBytes(json) as Json)).finish());
}
