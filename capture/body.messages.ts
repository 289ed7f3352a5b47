// The JSON-RPC messages of an inspected HTTP body, for the call tracker: parsed from the text when
// the body was within the inspection budget, else rebuilt from what the streaming scan found, with
// the body's hash and size standing in for the arguments or result that were not read.
import type { InspectedBody } from './body.inspector.ts';
import type { BodyDigest } from './event.builder.ts';
import type { SkeletonMessage } from './json.skeleton.ts';

export interface BodyMessages {
  /** A message or a batch; null when the body held none. */
  message: unknown;
  /** Set when the body was too big to read whole. */
  uninspected?: BodyDigest;
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
};

const request = (m: SkeletonMessage) => ({
  jsonrpc: '2.0',
  ...(m.id !== undefined ? { id: m.id } : {}),
  method: m.method,
  params: m.name !== undefined ? { name: m.name } : {},
});

const response = (m: SkeletonMessage) =>
  m.errorCode !== undefined
    ? { jsonrpc: '2.0', id: m.id, error: { code: m.errorCode, message: m.errorMessage ?? '' } }
    : { jsonrpc: '2.0', id: m.id, result: m.isError ? { isError: true } : {} };

function rebuilt(body: InspectedBody, pick: (m: SkeletonMessage) => boolean, make: (m: SkeletonMessage) => unknown): BodyMessages {
  const found = body.messages.filter(pick).map(make);
  return { message: found.length ? found : null, uninspected: { hmac_sha256: body.hmac_sha256, size_bytes: body.size_bytes } };
}

/** The request(s) a client body carried. */
export function requestsOf(body: InspectedBody): BodyMessages {
  if (body.text !== null) return { message: parse(body.text) };
  return rebuilt(body, (m) => typeof m.method === 'string', request);
}

/** The response(s) a server body (or one SSE event's data) carried. */
export function responsesOf(body: InspectedBody): BodyMessages {
  if (body.text !== null) return { message: parse(body.text) };
  return rebuilt(body, (m) => m.method === undefined && m.id !== undefined, response);
}
