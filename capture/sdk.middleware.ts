// Audit middleware for MCP servers built on the TypeScript SDK, both generations: `@modelcontextprotocol/sdk`
// 1.x (2025-era sessions) and `@modelcontextprotocol/server` 2.x (stateless 2026-07-28 requests as
// well as 2025-era ones). It hooks the server's transport rather than its handlers: every JSON-RPC
// message passes through the transport, so every `tools/call`, `tools/list`, `resources/read` and
// `prompts/get` is seen with its exact outcome (including errors the SDK itself answers), for any
// SDK server class and version, and the server's code is not touched. Observing happens after the
// message is handed on, and the events go to a non-blocking buffer, so audit never fails or slows a call.
//
//   const server = withAudit(new McpServer({ name: 'crm', version: '1.0.0' }), {
//     capture, identity: { tenantId: 'acme', userId: 'alice', agentId: 'support-bot' } });
//   await server.connect(new StdioServerTransport());
//
// 2.x serves stateless HTTP from a factory, one server per request: wrap each one it makes,
//   createMcpHandler(() => withAudit(makeServer(), { capture, identity: (extra) => ... }))
//
// The transport is hooked in place, not wrapped: the 2.x SDK recognises its own transport classes
// (`instanceof`) and calls methods beyond the Transport interface on them.
import type { MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import { uuidv7 } from '../core/ids.ts';
import type { AuditEventV2 } from '../schemas/event.v2.ts';
import { CallTracker } from './call.tracker.ts';
import type { BuildOptions, Identity, SessionInfo } from './event.builder.ts';

export interface AuditOptions {
  /** Where events go: a Capture from createCapture, or anything with the same `push` and `build`. */
  capture: { push(event: AuditEventV2): void; build: BuildOptions };
  /** The caller; a function is asked per request (e.g. from `extra.authInfo` or request headers). */
  identity: Identity | ((extra: MessageExtraInfo | undefined) => Identity);
  /** Server name until the server names itself (its `initialize` answer, or the server info of its results). */
  serverName?: string;
  /** Called when a message could not be turned into an event; audit never throws into the server. */
  onError?: (err: unknown) => void;
}

/** The members of an SDK transport (either generation) the audit hooks. */
interface HookedTransport {
  onmessage?: (message: unknown, extra?: MessageExtraInfo) => void;
  onclose?: () => void;
  send(message: unknown, options?: unknown): Promise<void>;
  sessionId?: string;
}

function transportKind(t: object): SessionInfo['transport'] {
  const name = t.constructor?.name ?? '';
  if (/stdio/i.test(name)) return 'stdio';
  if (/streamable|http/i.test(name)) return 'http';
  if (/sse/i.test(name)) return 'sse';
  return 'other';
}

/**
 * Audits the messages through one transport; call it before the server connects (the SDK's
 * `connect` keeps the handlers it finds and calls them first). Returns the same transport.
 */
export function auditTransport<T extends object>(transport: T, opts: AuditOptions): T {
  const t = transport as unknown as HookedTransport;
  const identity = opts.identity;
  const identityOf = typeof identity === 'function' ? identity : () => identity;
  const tracker = new CallTracker({
    session: { transport: transportKind(transport), fallbackServerName: opts.serverName ?? 'mcp-server' },
    identity: identityOf(undefined),
    build: opts.capture.build,
    emit: (e) => opts.capture.push(e),
    // A 2025-era session the transport has no id for (stdio, in-memory) gets one at `initialize`.
    newSessionId: () => t.sessionId ?? uuidv7(),
    ...(opts.onError ? { onError: opts.onError } : {}),
  });
  const onmessage = t.onmessage;
  t.onmessage = (message, extra) => {
    // Recorded before the server sees it (cheap: no event is built here), so even an answer sent
    // synchronously finds its request. A session id the transport assigned (2025-era HTTP) wins.
    if (t.sessionId) tracker.session.sessionId = t.sessionId;
    let who: Identity | undefined;
    try {
      who = identityOf(extra);
    } catch (err) {
      opts.onError?.(err);
    }
    if (who) tracker.fromClient(message, { identity: who });
    onmessage?.(message, extra);
  };
  const onclose = t.onclose;
  t.onclose = () => {
    tracker.close();
    onclose?.();
  };
  const send = t.send.bind(transport);
  t.send = (message, options) => {
    const sent = send(message, options);
    tracker.fromServer(message);
    return sent;
  };
  return transport;
}

/** Audits every connection of `server`: its `connect(transport)` hooks the transport first. */
export function withAudit<S extends { connect(transport: never): Promise<void> }>(server: S, opts: AuditOptions): S {
  const connect = server.connect.bind(server) as (transport: object) => Promise<void>;
  (server as unknown as { connect: (transport: object) => Promise<void> }).connect = (transport) => connect(auditTransport(transport, opts));
  return server;
}
