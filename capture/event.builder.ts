// Turns one observed MCP exchange (a request and its response or error) into a v2 audit event:
// redacted argument preview, keyed hashes and sizes of the raw arguments and result, extracted
// targets, value fingerprints, argument names, episode, status, duration and trace context.
// Shared by the SDK middleware and both proxies, so every capture path reports a call the same way.
import { uuidv7 } from '../core/ids.ts';
import { DEFAULT_EVENT_MAX_BYTES } from '../schemas/event.v1.ts';
import type { AuditEventV2 } from '../schemas/event.v2.ts';
import { canonicalPreview } from './canonical.bounded.ts';
import { canonicalJson, sha256Hex } from './canonical.ts';
import { argumentNames, episodeFor, fingerprintsOf, inputKeys, redactsAsSecret } from './event.enrich.ts';
import { fitEvent } from './event.fit.ts';
import { extractResources } from './extract.resources.ts';
import { keyedDigest, type HashKey } from './hash.key.ts';
import { instructionMarkers } from './instructions.ts';
import { redactText, redactValue } from './redact.ts';
import { clientOf, serverOf } from './request.meta.ts';

/** Who is behind the calls: from flags, environment, headers or the embedding application. */
export interface Identity {
  tenantId: string;
  userId: string;
  agentId?: string;
  sourceAddress?: string;
}

/**
 * What capture knows about one MCP session (2025-era) or connection; filled in from `initialize`,
 * `tools/list` and the server info of results. A 2026-07-28 request names its own client and
 * protocol version in `params._meta`, which win over these for that call.
 */
export interface SessionInfo {
  transport: 'stdio' | 'http' | 'sse' | 'other';
  sessionId?: string;
  protocolVersion?: string;
  clientName?: string;
  clientVersion?: string;
  /** Used until the server has named itself in its `initialize` answer. */
  fallbackServerName: string;
  serverName?: string;
  serverVersion?: string;
  fingerprint?: string;
}

export interface BuildOptions {
  isDeniedKey: (key: string) => boolean;
  /** The deny-list `isDeniedKey` was made from, when it was: lets a worker thread make the same options. */
  denyKeys?: readonly string[];
  /** Longest argument preview, in characters. */
  previewChars: number;
  maxEventBytes?: number;
  /** Key of the argument and result HMACs and of the value fingerprints (`hash_key_id` is its id). */
  hashKey: HashKey;
  /** Episodes without a trace, conversation or session id end after this pause (ms); default 30 min. */
  episodeIdleMs?: number;
}

export interface JsonRpcError {
  code: number;
  message: string;
}

export interface ObservedCall {
  method: string;
  requestId?: string | number;
  params: Record<string, unknown> | undefined;
  startedAtMs: number;
  durationMs: number;
  outcome: { result: unknown } | { error: JsonRpcError } | { missing: 'cancelled' | 'no_response' };
  /** Bodies too big to inspect: their keyed hash and size as they streamed past stand in for the values. */
  uninspected?: { arguments?: BodyDigest; result?: BodyDigest };
  /** The protocol version the transport named for this request (HTTP `MCP-Protocol-Version`), when `_meta` names none. */
  protocolVersion?: string;
}

/** HMAC-SHA256 (domain `args:` or `result:`, see hash.key.ts) and size of a body's raw bytes. */
export interface BodyDigest {
  hmac_sha256: string;
  size_bytes: number;
}

/** The methods capture reports, and the event kind of each. */
export const AUDITED_METHODS: Record<string, AuditEventV2['kind']> = {
  'tools/call': 'tool_call',
  'tools/list': 'tool_list',
  'resources/read': 'resource_read',
  'resources/list': 'resource_list',
  'prompts/get': 'prompt_get',
};

const RPC_ERRORS: Record<number, string> = {
  [-32700]: 'parse_error',
  [-32600]: 'invalid_request',
  [-32601]: 'method_not_found',
  [-32602]: 'invalid_params',
  [-32603]: 'internal_error',
  [-32001]: 'request_timeout',
};

// Servers report a refused call as an error whose text says so; MCP has no dedicated code for it.
const DENIED = /\b(?:access denied|permission denied|forbidden|not allowed|not permitted|unauthori[sz]ed|outside (?:of )?(?:the )?allowed|EACCES|EPERM)\b/i;

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}/;

/**
 * The W3C trace and span id of `params._meta.traceparent` (both generations put trace context
 * there). `tracestate` passes through to the server but is not recorded: it is opaque vendor data,
 * and the two ids are what joins the event to its spans.
 */
export function traceFrom(params: Record<string, unknown> | undefined): AuditEventV2['trace'] {
  const meta = params?._meta;
  const tp = meta && typeof meta === 'object' ? (meta as Record<string, unknown>).traceparent : undefined;
  const m = typeof tp === 'string' ? TRACEPARENT.exec(tp) : null;
  if (!m || /^0+$/.test(m[1]!) || /^0+$/.test(m[2]!)) return undefined;
  return { trace_id: m[1]!, span_id: m[2]! };
}

/** The part of the params that is "the arguments" of each method (never `_meta`). */
function argumentsOf(method: string, params: Record<string, unknown> | undefined): unknown {
  if (!params) return undefined;
  if (method === 'tools/call') return params.arguments ?? {};
  const { _meta, ...rest } = params;
  return Object.keys(rest).length ? rest : undefined;
}

function textOfToolResult(result: unknown): string {
  const content = (result as { content?: unknown })?.content;
  if (!Array.isArray(content)) return '';
  return content
    .map((c) => (c && typeof c === 'object' && typeof (c as { text?: unknown }).text === 'string' ? (c as { text: string }).text : ''))
    .join(' ')
    .slice(0, 2048);
}

function resultOf(call: ObservedCall, key: HashKey): NonNullable<AuditEventV2['result']> {
  const o = call.outcome;
  if ('missing' in o) return { status: 'error', error_type: o.missing };
  if ('error' in o) {
    const denied = DENIED.test(o.error.message ?? '');
    return { status: denied ? 'denied' : 'error', error_type: denied ? 'access_denied' : RPC_ERRORS[o.error.code] ?? `jsonrpc_${o.error.code}` };
  }
  // A result too big to read was not inspected whole: its hash covers the raw body, nothing was looked into.
  const d = call.uninspected?.result ? { ...call.uninspected.result, truncated: true } : keyedDigest(key, 'result', o.result);
  const digested = { size_bytes: d.size_bytes, hmac_sha256: d.hmac_sha256, ...(d.truncated ? { truncated: true } : {}) };
  const isError = (o.result as { isError?: unknown })?.isError === true;
  if (!isError) return { status: 'ok', ...digested };
  const denied = DENIED.test(textOfToolResult(o.result));
  return { status: denied ? 'denied' : 'error', error_type: denied ? 'access_denied' : 'tool_error', ...digested };
}

const truncate = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, Math.max(0, n - 1))}…`);

/** name, description and description hash of each advertised tool; the fingerprint of the list. */
export function listedTools(result: unknown): { tools: NonNullable<AuditEventV2['tools']>; fingerprint: string } | null {
  const tools = (result as { tools?: unknown })?.tools;
  if (!Array.isArray(tools)) return null;
  const out: NonNullable<AuditEventV2['tools']> = [];
  for (const t of tools.slice(0, 1024)) {
    if (!t || typeof t !== 'object' || typeof (t as { name?: unknown }).name !== 'string') continue;
    const { name, description } = t as { name: string; description?: unknown };
    const desc = typeof description === 'string' ? description : '';
    const keys = inputKeys(t);
    // The hash is over the description exactly as sent, so any change to it shows as drift.
    out.push({ name: truncate(name, 256) || '?', description: truncate(redactText(desc), 8192), description_sha256: sha256Hex(desc), ...(keys ? { input_keys: keys } : {}) });
  }
  const fingerprint = sha256Hex(
    canonicalJson(tools.map((t) => (t && typeof t === 'object' ? { name: t.name, description: t.description, inputSchema: t.inputSchema } : t))),
  );
  return { tools: out, fingerprint };
}

/** The audit event of one exchange, or null when the method is not one capture reports. */
export function buildEvent(call: ObservedCall, identity: Identity, session: SessionInfo, opts: BuildOptions): AuditEventV2 | null {
  const kind = AUDITED_METHODS[call.method];
  if (!kind) return null;
  const args = argumentsOf(call.method, call.params);
  const listed = kind === 'tool_list' && 'result' in call.outcome ? listedTools(call.outcome.result) : null;
  if (listed) session.fingerprint = listed.fingerprint;
  // Who is talking: what this request and its result say (2026-07-28), else what the session learnt.
  const client = clientOf(call.params);
  const server = 'result' in call.outcome ? serverOf(call.outcome.result) : undefined;
  const protocolVersion = client?.protocolVersion ?? call.protocolVersion ?? session.protocolVersion;
  const [clientName, clientVersion] = client?.name ? [client.name, client.version] : [session.clientName, session.clientVersion];
  const [serverName, serverVersion] = server?.name ? [server.name, server.version] : [session.serverName, session.serverVersion];

  const event: AuditEventV2 = {
    schema_version: 2,
    event_id: uuidv7(),
    ts: new Date(call.startedAtMs).toISOString(),
    tenant_id: identity.tenantId,
    kind,
    mcp: {
      method: call.method,
      ...(session.sessionId ? { session_id: truncate(session.sessionId, 256) } : {}),
      ...(protocolVersion ? { protocol_version: truncate(protocolVersion, 64) } : {}),
      ...(call.requestId !== undefined ? { request_id: typeof call.requestId === 'number' && Number.isInteger(call.requestId) ? call.requestId : truncate(String(call.requestId), 256) } : {}),
    },
    actor: {
      user_id: truncate(identity.userId, 256),
      ...(identity.agentId ? { agent_id: truncate(identity.agentId, 256) } : {}),
      ...(clientName ? { client_name: truncate(clientName, 256) } : {}),
      ...(clientVersion ? { client_version: truncate(clientVersion, 64) } : {}),
      ...(identity.sourceAddress ? { source_address: truncate(identity.sourceAddress, 64) } : {}),
    },
    server: {
      name: truncate(serverName || session.fallbackServerName, 256) || 'unknown',
      ...(serverVersion ? { version: truncate(serverVersion, 64) } : {}),
      transport: session.transport,
      ...(session.fingerprint ? { fingerprint: session.fingerprint } : {}),
    },
    result: resultOf(call, opts.hashKey),
    hash_key_id: opts.hashKey.id,
    duration_ms: Math.max(0, Math.round(call.durationMs * 1000) / 1000),
  };
  if (kind === 'tool_call') {
    const name = typeof call.params?.name === 'string' && call.params.name ? call.params.name : '?';
    event.tool = { name: truncate(name, 256) };
  }
  if (args !== undefined) {
    const uninspected = call.uninspected?.arguments;
    const redacted = redactValue(args, opts.isDeniedKey);
    if (uninspected) {
      // Only the tool name was scanned out of the body: no names or secret kinds to report.
      event.arguments = { preview: `[not inspected: ${uninspected.size_bytes} bytes]`, hmac_sha256: uninspected.hmac_sha256, size_bytes: uninspected.size_bytes };
    } else {
      const d = keyedDigest(opts.hashKey, 'arguments', args);
      const preview = canonicalPreview(redacted, Math.min(opts.previewChars, 4096));
      event.arguments = { preview, hmac_sha256: d.hmac_sha256, size_bytes: d.size_bytes, ...argumentNames(args, redacted), ...(d.truncated ? { truncated: true } : {}) };
    }
    const resource = extractResources(redacted);
    if (resource) event.resource = resource;
  }
  if (kind === 'tool_list') event.tools = listed?.tools ?? [];
  const trace = traceFrom(call.params);
  if (trace) event.trace = trace;
  if (kind !== 'tool_list' && kind !== 'resource_list') {
    const outcome = 'result' in call.outcome ? call.outcome.result : undefined;
    event.fingerprints = fingerprintsOf(args, outcome, 'result' in call.outcome, { key: opts.hashKey, isDeniedKey: opts.isDeniedKey, isSecret: redactsAsSecret, redactText });
    const instructions = outcome === undefined || call.uninspected?.result ? [] : instructionMarkers(outcome);
    if (instructions.length && event.result) event.result.instructions = instructions;
  }
  const { episode, conversationId } = episodeFor(opts, event, call.params, call.startedAtMs);
  event.episode = episode;
  if (conversationId) event.actor.conversation_id = conversationId;
  fitEvent(event, opts.maxEventBytes ?? DEFAULT_EVENT_MAX_BYTES);
  return event;
}
