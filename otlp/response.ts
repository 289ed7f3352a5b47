// The bodies of OTLP/HTTP answers, in the encoding of the request (the spec asks for the same
// Content-Type back): an Export*ServiceResponse on success, with `partial_success` when some items
// were refused, and a google.rpc.Status for every 4xx and 5xx.
import { JSON_TYPE, PROTOBUF, type Encoding } from './decode.body.ts';
import { LogsResponse, RpcStatus, TraceResponse } from './otlp.proto.ts';

export type Signal = 'traces' | 'logs';

export interface Answer {
  contentType: string;
  body: Buffer | string;
}

/** google.rpc.Code for an HTTP status, as the gRPC-HTTP mapping pairs them. */
const RPC_CODES: Record<number, number> = { 400: 3, 401: 16, 403: 7, 404: 5, 405: 12, 413: 8, 415: 3, 429: 8, 500: 13, 503: 14 };

/** Success; `rejected` items (with the reason why) make it a partial success. */
export function exportAnswer(signal: Signal, encoding: Encoding, rejected: number, errorMessage: string): Answer {
  const countKey = signal === 'traces' ? 'rejectedSpans' : 'rejectedLogRecords';
  const partial = rejected > 0 || errorMessage ? { partialSuccess: { [countKey]: rejected, errorMessage } } : {};
  if (encoding === 'json') {
    // int64 travels as a decimal string in OTLP JSON.
    const json = rejected > 0 || errorMessage ? { partialSuccess: { [countKey]: String(rejected), errorMessage } } : {};
    return { contentType: JSON_TYPE, body: JSON.stringify(json) };
  }
  const type = signal === 'traces' ? TraceResponse : LogsResponse;
  return { contentType: PROTOBUF, body: Buffer.from(type.encode(type.fromObject(partial)).finish()) };
}

/** The Status body of an error answer. */
export function statusAnswer(encoding: Encoding, httpStatus: number, message: string): Answer {
  const code = RPC_CODES[httpStatus] ?? (httpStatus >= 500 ? 13 : 3);
  if (encoding === 'json') return { contentType: JSON_TYPE, body: JSON.stringify({ code, message }) };
  return { contentType: PROTOBUF, body: Buffer.from(RpcStatus.encode(RpcStatus.fromObject({ code, message })).finish()) };
}
