// One span to the exchange capture would have seen, per the OpenTelemetry MCP conventions
// (semantic-conventions-genai, docs/gen-ai/mcp.md): `mcp.method.name`, `gen_ai.tool.name`,
// `gen_ai.prompt.name`, `mcp.resource.uri`, `jsonrpc.request.id`, `error.type` (`tool_error` for a
// CallToolResult with isError), `rpc.response.status_code`, `mcp.protocol.version`,
// `mcp.session.id`, `network.transport` (`pipe` = stdio), `client.address`, `server.address`, and
// the opt-in `gen_ai.tool.call.arguments` / `.result` and `gen_ai.tool.definitions`. Names seen in
// the wild off the convention are taken too: `mcp.tool.name`, `mcp.session_id`, `mcp.transport`,
// span names like `MCP handle tools/call x`. A span with no MCP method is not MCP and is skipped.
import { AUDITED_METHODS } from '../capture/event.builder.ts';
import { deterministicEventId } from './event.id.ts';
import { identityOf } from './identity.ts';
import { requestIdOf, type Mapped } from './mapped.ts';
import { firstText, SPAN_KIND, STATUS_ERROR, structured, type AttrValue, type OtlpSpan } from './otlp.model.ts';

/** Every method name the conventions list; a span name is read as MCP only when it starts with one. */
const KNOWN_METHODS = new Set([
  'completion/complete', 'elicitation/create', 'initialize', 'logging/setLevel', 'notifications/cancelled',
  'notifications/initialized', 'notifications/message', 'notifications/progress', 'notifications/prompts/list_changed',
  'notifications/resources/list_changed', 'notifications/resources/updated', 'notifications/roots/list_changed',
  'notifications/tools/list_changed', 'ping', 'prompts/get', 'prompts/list', 'resources/list', 'resources/read',
  'resources/subscribe', 'resources/templates/list', 'resources/unsubscribe', 'roots/list', 'sampling/createMessage',
  'tools/call', 'tools/list', 'server/discover',
]);

// "tools/call x", "MCP tools/call x", "MCP handle tools/call x", "mcp.client tools/list": an optional
// MCP prefix and one verb, the method, then the target.
const SPAN_NAME = /^(?:mcp[\s.:_-]*(?:[a-z]+\s+)?)?([a-z]+(?:\/[a-zA-Z_]+)+|initialize|ping)(?:\s+(\S.{0,511}))?$/i;

const TRANSPORTS: Record<string, string> = { pipe: 'stdio', stdio: 'stdio', tcp: 'http', quic: 'http', http: 'http', 'streamable-http': 'http', streamable_http: 'http', sse: 'sse' };

function methodOf(span: OtlpSpan): { method: string; target?: string } | null {
  const attr = firstText([span.attributes], ['mcp.method.name', 'mcp.method']);
  const m = SPAN_NAME.exec(span.name.trim());
  const fromName = m && KNOWN_METHODS.has(m[1]!) ? { method: m[1]!, ...(m[2] ? { target: m[2].trim() } : {}) } : null;
  if (attr) return { method: attr, ...(fromName?.method === attr && fromName.target ? { target: fromName.target } : {}) };
  return fromName;
}

const isObject = (v: unknown): v is Record<string, AttrValue> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** gen_ai.tool.definitions (function or MCP shape) as the `tools` of a tools/list result. */
function toolsResult(defs: AttrValue | undefined): { tools: Record<string, AttrValue>[] } | undefined {
  if (!Array.isArray(defs)) return undefined;
  const tools = defs.filter(isObject).map((d) => ({
    name: typeof d.name === 'string' ? d.name : '',
    ...(typeof d.description === 'string' ? { description: d.description } : {}),
    ...(isObject(d.inputSchema) ? { inputSchema: d.inputSchema } : isObject(d.parameters) ? { inputSchema: d.parameters } : {}),
  }));
  return { tools };
}

function paramsOf(method: string, span: OtlpSpan, target: string | undefined, args: AttrValue | undefined): Record<string, unknown> {
  const a = span.attributes;
  const params: Record<string, unknown> = {};
  if (method === 'tools/call') {
    params.name = firstText([a], ['gen_ai.tool.name', 'mcp.tool.name']) ?? target ?? '?';
    if (args !== undefined) params.arguments = args;
  } else if (method === 'prompts/get') {
    params.name = firstText([a], ['gen_ai.prompt.name', 'mcp.prompt.name']) ?? target ?? '?';
    if (args !== undefined) params.arguments = args;
  } else if (method.startsWith('resources/')) {
    const uri = firstText([a], ['mcp.resource.uri', 'mcp.resource_uri']);
    if (uri) params.uri = uri;
  }
  // The trace context and conversation, where capture finds them in a request.
  const meta: Record<string, string> = {};
  if (span.traceId && span.spanId) meta.traceparent = `00-${span.traceId}-${span.spanId}-01`;
  const conversation = identityOf(a, span.resource).conversationId;
  if (conversation) meta['gen_ai.conversation.id'] = conversation;
  if (Object.keys(meta).length) params._meta = meta;
  return params;
}

/** The JSON-RPC outcome the span reports, and whether it carried a result. */
function responseOf(span: OtlpSpan, id: string | number, result: AttrValue | undefined): { response: Record<string, unknown>; hasResult: boolean; errorType?: string } {
  const a = span.attributes;
  const errorType = firstText([a], ['error.type']);
  const statusCode = firstText([a], ['rpc.response.status_code', 'rpc.jsonrpc.error_code']);
  const message = span.status.message;
  if (errorType === 'tool_error' || (isObject(result) && result.isError === true)) {
    const base = isObject(result) ? result : { content: [{ type: 'text', text: message || (typeof result === 'string' ? result : '') }] };
    return { response: { jsonrpc: '2.0', id, result: { ...base, isError: true } }, hasResult: result !== undefined };
  }
  const numeric = [statusCode, errorType].find((c) => c !== undefined && /^-?\d{1,10}$/.test(c));
  const failed = errorType !== undefined || span.status.code === STATUS_ERROR || (numeric !== undefined && numeric !== '0');
  if (failed) {
    // The error type's words join the message, so a denial named only there ("access_denied") is seen as one.
    const words = errorType && !/^-?\d+$/.test(errorType) ? errorType.replace(/[_.]/g, ' ') : '';
    return {
      response: { jsonrpc: '2.0', id, error: { code: numeric !== undefined ? Number(numeric) : -32603, message: [message, words].filter(Boolean).join(': ') } },
      hasResult: false,
      ...(errorType && !/^-?\d+$/.test(errorType) ? { errorType } : {}),
    };
  }
  return { response: { jsonrpc: '2.0', id, result: result ?? null }, hasResult: result !== undefined };
}

export function spanToExchange(span: OtlpSpan, tenantId: string): Mapped {
  const found = methodOf(span);
  if (!found) return { skip: 'not_mcp' };
  const { method, target } = found;
  if (!AUDITED_METHODS[method]) return { skip: 'not_audited' };
  // A span's start time is required; without it there is no event time to give the call.
  if (span.startMs <= 0) return { reject: 'startTimeUnixNano is missing' };
  const a = span.attributes;
  const r = span.resource;
  const who = identityOf(a, r);
  const isClient = span.kind === SPAN_KIND.client;
  const serviceName = firstText([r], ['service.name']);
  // A server span is reported by the server itself; a client span names the server it called.
  const serverName =
    firstText([a], ['mcp.server.name']) ?? (isClient ? firstText([a], ['server.address']) ?? serviceName : serviceName ?? firstText([a], ['server.address'])) ?? 'unknown';
  const clientName = firstText([a], ['mcp.client.name']) ?? (isClient ? serviceName : undefined);
  const clientVersion = isClient ? firstText([r], ['service.version']) : undefined;
  const transport = TRANSPORTS[(firstText([a], ['network.transport', 'mcp.transport']) ?? '').toLowerCase()] ?? 'other';
  const sessionId = firstText([a], ['mcp.session.id', 'mcp.session_id']);
  const protocolVersion = firstText([a], ['mcp.protocol.version']);
  const sourceAddress = isClient ? undefined : firstText([a], ['client.address']);
  const id = requestIdOf(firstText([a], ['jsonrpc.request.id', 'mcp.request.id']), span.spanId || 'unknown');

  const args = structured(a.get('gen_ai.tool.call.arguments'));
  const result = method === 'tools/list' ? toolsResult(structured(a.get('gen_ai.tool.definitions'))) : structured(a.get('gen_ai.tool.call.result'));
  const { response, hasResult, errorType } = responseOf(span, id, result);
  const toolCallId = firstText([a], ['gen_ai.tool.call.id']);
  return {
    exchange: {
      ts: new Date(span.startMs).toISOString(),
      tenant_id: tenantId,
      user_id: who.userId,
      ...(who.agentId ? { agent_id: who.agentId } : {}),
      ...(clientName ? { client: { name: clientName, ...(clientVersion ? { version: clientVersion } : {}) } } : {}),
      ...(sessionId ? { session_id: sessionId } : {}),
      server: { name: serverName, transport },
      request: { jsonrpc: '2.0', id, method, params: paramsOf(method, span, target, args) },
      response,
      duration_ms: Math.max(0, span.endMs - span.startMs),
      ...(protocolVersion ? { protocol_version: protocolVersion } : {}),
      ...(sourceAddress ? { source_address: sourceAddress } : {}),
    },
    patch: {
      eventId: deterministicEventId(tenantId, ['span', span.traceId, span.spanId, span.spanId ? '' : `${span.name}\u0000${span.startMs}`], span.startMs),
      // A tool call's arguments are opt-in telemetry; prompts and resources are named by their params.
      dropArguments: method === 'tools/call' && args === undefined,
      dropResultDigest: !hasResult,
      ...(errorType ? { errorType } : {}),
      ...(toolCallId ? { toolCallId } : {}),
    },
  };
}
