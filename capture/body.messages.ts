// The JSON-RPC messages of an inspected HTTP body, for the call tracker: parsed from the text when
// the body was within the inspection budget, else rebuilt from what the streaming scan found, with
// the body's hash and size standing in for the arguments or result that were not read.
import type { InspectedBody } from './body.inspector.ts';
import type { BodyDigest } from './event.builder.ts';
import type { MirroredHeaders } from './http.mirrored.ts';
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

/** The params field `Mcp-Name` mirrors, per method (2026-07-28 Streamable HTTP). */
const NAMED_BY_HEADER: Record<string, string> = { 'tools/call': 'name', 'prompts/get': 'name', 'resources/read': 'uri' };

/**
 * The request(s) a client body carried. When the body was too big to read and the scan found one
 * request without its name, the `Mcp-Name` header of the same method names it.
 */
export function requestsOf(body: InspectedBody, mirrored: MirroredHeaders = {}): BodyMessages {
  if (body.text !== null) return { message: parse(body.text) };
  const out = rebuilt(body, (m) => typeof m.method === 'string', request);
  const only = Array.isArray(out.message) && out.message.length === 1 ? (out.message[0] as ReturnType<typeof request>) : undefined;
  const field = only ? NAMED_BY_HEADER[only.method!] : undefined;
  if (only && field && only.method === mirrored.method && mirrored.name !== undefined && (only.params as Record<string, unknown>)[field] === undefined) {
    only.params = { ...only.params, [field]: mirrored.name };
  }
  return out;
}

/** The response(s) a server body (or one SSE event's data) carried. */
export function responsesOf(body: InspectedBody): BodyMessages {
  if (body.text !== null) return { message: parse(body.text) };
  return rebuilt(body, (m) => m.method === undefined && m.id !== undefined, response);
}
