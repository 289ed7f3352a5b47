// Claude Code's OTLP log events to exchanges. Claude Code (CLAUDE_CODE_ENABLE_TELEMETRY=1,
// OTEL_LOGS_EXPORTER=otlp) exports one log record per event, named by the `event.name` attribute
// (`tool_result`, `tool_decision`, ...; the body carries `claude_code.<name>`, newer SDKs the
// LogRecord event_name). Attributes this reads, as its monitoring documentation publishes them:
//   tool_result:   tool_name, success ("true"/"false"), duration_ms, error, decision_type
//                  (accept|reject), decision_source, tool_use_id, tool_parameters (JSON: Bash's
//                  bash_command/full_command; MCP tools' mcp_server_name/mcp_tool_name with
//                  OTEL_LOG_TOOL_DETAILS=1), tool_input (JSON arguments, OTEL_LOG_TOOL_DETAILS=1);
//   tool_decision: tool_name, decision (accept|reject), source (config, hook, user_permanent,
//                  user_temporary, user_abort, user_reject), tool_use_id;
//   every event:   session.id, user.id, user.email, user.account_uuid, organization.id,
//                  app.version, event.timestamp, event.sequence, prompt.id; agent_id for subagents.
// MCP tools are named `mcp__<server>__<tool>`; built-in tools (Bash, Read, WebFetch, ...) are
// reported as tools of the server `claude-code`. A tool_result is the call; a rejected
// tool_decision is a denied call (an accepted one is followed by its tool_result, so it is skipped).
import { deterministicEventId } from './event.id.ts';
import { identityOf } from './identity.ts';
import { requestIdOf, type Mapped } from './mapped.ts';
import { firstText, structured, text, type AttrValue, type OtlpLogRecord } from './otlp.model.ts';

/** enduser.id when the deployment sets one (OTEL_RESOURCE_ATTRIBUTES); else Claude Code's account e-mail, account id, then its anonymous user.id. */
const CLAUDE_USER_KEYS = ['enduser.id', 'user.email', 'user.account_uuid', 'user.id'];
const BUILTIN_SERVER = 'claude-code';

const isObject = (v: unknown): v is Record<string, AttrValue> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `tool_result` from the LogRecord event_name, the `event.name` attribute or the body, without the `claude_code.` prefix. */
export function claudeEventName(rec: OtlpLogRecord): string | undefined {
  const name = rec.eventName || text(rec.attributes.get('event.name')) || (typeof rec.body === 'string' ? rec.body : '');
  const m = /^(?:claude_code\.)?([a-z_]{1,64})$/.exec(name.trim());
  return m ? m[1] : undefined;
}

/** Server and tool of a Claude Code tool name, from `mcp__server__tool` or the tool_parameters of an MCP tool. */
function serverAndTool(toolName: string, params: Record<string, AttrValue> | undefined): { server: string; tool: string } {
  const server = typeof params?.mcp_server_name === 'string' ? params.mcp_server_name : undefined;
  const tool = typeof params?.mcp_tool_name === 'string' ? params.mcp_tool_name : undefined;
  if (server && tool) return { server, tool };
  const m = /^mcp__(.+?)__(.+)$/.exec(toolName);
  if (m) return { server: m[1]!, tool: m[2]! };
  return { server: BUILTIN_SERVER, tool: toolName };
}

/** The tool's arguments: tool_input when exported, else what tool_parameters holds of them. */
function argumentsOf(rec: OtlpLogRecord, params: Record<string, AttrValue> | undefined): AttrValue | undefined {
  const input = structured(rec.attributes.get('tool_input'));
  if (input !== undefined && input !== '') return input;
  if (!params) return undefined;
  const command = params.full_command ?? params.bash_command;
  if (typeof command === 'string') return { command };
  const rest = Object.fromEntries(Object.entries(params).filter(([k]) => !k.startsWith('mcp_') && k !== 'skill_name'));
  return Object.keys(rest).length ? rest : undefined;
}

const truthy = (v: AttrValue | undefined) => v === true || (typeof v === 'string' && v.toLowerCase() === 'true');

export function claudeToExchange(rec: OtlpLogRecord, tenantId: string): Mapped {
  const event = claudeEventName(rec);
  if (event !== 'tool_result' && event !== 'tool_decision') return { skip: 'not_mcp' };
  const a = rec.attributes;
  const r = rec.resource;
  const decision = (firstText([a], event === 'tool_decision' ? ['decision'] : ['decision_type']) ?? '').toLowerCase();
  if (event === 'tool_decision' && decision !== 'reject') return { skip: 'not_audited' };
  const toolName = firstText([a], ['tool_name']);
  if (!toolName) return { skip: 'not_audited' };

  const paramsAttr = structured(a.get('tool_parameters'));
  const params = isObject(paramsAttr) ? paramsAttr : undefined;
  const { server, tool } = serverAndTool(toolName, params);
  const who = identityOf(a, r, CLAUDE_USER_KEYS);
  const agentId = firstText([a], ['agent_id']) ?? who.agentId ?? firstText([r], ['service.name']) ?? BUILTIN_SERVER;
  const sessionId = firstText([a, r], ['session.id']);
  const toolUseId = firstText([a], ['tool_use_id', 'gen_ai.tool.call.id']);
  const durationMs = Number(firstText([a], ['duration_ms']) ?? 0);
  const duration = Number.isFinite(durationMs) && durationMs > 0 ? durationMs : 0;
  const stamp = Date.parse(firstText([a], ['event.timestamp']) ?? '');
  const at = rec.timeMs || (Number.isFinite(stamp) ? stamp : 0) || rec.observedMs;
  if (at <= 0) return { reject: 'the record has no time (timeUnixNano, event.timestamp, observedTimeUnixNano)' };
  // A tool_result is logged when the tool is done: the call started its duration earlier.
  const startMs = Math.max(0, at - duration);
  const id = requestIdOf(toolUseId, `${sessionId ?? ''}#${firstText([a], ['event.sequence']) ?? at}`);
  const args = argumentsOf(rec, params);

  let response: Record<string, unknown>;
  const rejected = decision === 'reject';
  if (rejected) {
    const source = firstText([a], event === 'tool_decision' ? ['source'] : ['decision_source']) ?? 'unknown';
    response = { jsonrpc: '2.0', id, error: { code: -32001, message: `permission denied: the call was rejected (${source})` } };
  } else if (!truthy(a.get('success'))) {
    response = { jsonrpc: '2.0', id, result: { isError: true, content: [{ type: 'text', text: firstText([a], ['error']) ?? 'the tool failed' }] } };
  } else response = { jsonrpc: '2.0', id, result: null };

  const conversation = who.conversationId ?? sessionId;
  const meta: Record<string, string> = {};
  if (rec.traceId && rec.spanId) meta.traceparent = `00-${rec.traceId}-${rec.spanId}-01`;
  if (conversation) meta['gen_ai.conversation.id'] = conversation;
  const clientVersion = firstText([a, r], ['app.version', 'service.version']);
  return {
    exchange: {
      ts: new Date(startMs).toISOString(),
      tenant_id: tenantId,
      user_id: who.userId,
      agent_id: agentId,
      client: { name: firstText([r], ['service.name']) ?? BUILTIN_SERVER, ...(clientVersion ? { version: clientVersion } : {}) },
      server: { name: server, transport: 'other' },
      request: { jsonrpc: '2.0', id, method: 'tools/call', params: { name: tool, ...(args !== undefined ? { arguments: args } : {}), ...(Object.keys(meta).length ? { _meta: meta } : {}) } },
      response,
      duration_ms: duration,
    },
    patch: {
      // One tool use is one call: a rejection logged as both tool_decision and tool_result is stored once.
      eventId: deterministicEventId(
        tenantId,
        toolUseId ? ['claude_code', sessionId ?? '', toolUseId] : ['claude_code', event, sessionId ?? '', firstText([a], ['event.sequence']) ?? '', String(at)],
        startMs,
      ),
      dropArguments: args === undefined,
      dropResultDigest: true,
      ...(toolUseId ? { toolCallId: toolUseId } : {}),
    },
  };
}
