// Audit middleware for MCP servers built on @modelcontextprotocol/sdk. It wraps the server's
// transport rather than its handlers: every JSON-RPC message passes through the transport, so
// every `tools/call`, `tools/list`, `resources/read` and `prompts/get` is seen with its exact
// outcome (including errors the SDK itself answers), for any SDK server class and version, and the
// server's code is not touched. Observing happens after the message is handed on, and the events
// go to a non-blocking buffer, so audit never fails or slows a call.
//
//   const server = withAudit(new McpServer({ name: 'crm', version: '1.0.0' }), {
//     capture, identity: { tenantId: 'acme', userId: 'alice', agentId: 'support-bot' } });
//   await server.connect(new StdioServerTransport());
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import { uuidv7 } from '../core/ids.ts';
import type { AuditEventV2 } from '../schemas/event.v2.ts';
import { CallTracker } from './call.tracker.ts';
import type { BuildOptions, Identity, SessionInfo } from './event.builder.ts';

export interface AuditOptions {
  /** Where events go: a Capture from createCapture, or anything with the same `push` and `build`. */
  capture: { push(event: AuditEventV2): void; build: BuildOptions };
  /** The caller; a function is asked per request (e.g. from `extra.authInfo` or request headers). */
  identity: Identity | ((extra: MessageExtraInfo | undefined) => Identity);
  /** Server name until the server's own `initialize` answer names it. */
  serverName?: string;
  /** Called when a message could not be turned into an event; audit never throws into the server. */
  onError?: (err: unknown) => void;
}

function transportKind(t: Transport): SessionInfo['transport'] {
  const name = t.constructor?.name ?? '';
  if (/stdio/i.test(name)) return 'stdio';
  if (/streamable|http/i.test(name)) return 'http';
  if (/sse/i.test(name)) return 'sse';
  return 'other';
}

/** Wraps one transport so the messages through it are audited. */
export class AuditedTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;
  private readonly inner: Transport;
  private readonly tracker: CallTracker;
  private readonly identityOf: (extra: MessageExtraInfo | undefined) => Identity;

  constructor(inner: Transport, opts: AuditOptions) {
    this.inner = inner;
    const identity = opts.identity;
    this.identityOf = typeof identity === 'function' ? identity : () => identity;
    this.tracker = new CallTracker({
      session: { transport: transportKind(inner), fallbackServerName: opts.serverName ?? 'mcp-server' },
      identity: this.identityOf(undefined),
      build: opts.capture.build,
      emit: (e) => opts.capture.push(e),
      ...(opts.onError ? { onError: opts.onError } : {}),
    });
    inner.onmessage = (message, extra) => {
      // Recorded before the server sees it (cheap: no event is built here), so even an answer sent
      // synchronously finds its request.
      this.tracker.session.sessionId ??= inner.sessionId ?? uuidv7();
      let who: Identity | undefined;
      try {
        who = this.identityOf(extra);
      } catch (err) {
        opts.onError?.(err);
      }
      if (who) this.tracker.fromClient(message, who);
      this.onmessage?.(message, extra);
    };
    inner.onclose = () => {
      this.tracker.close();
      this.onclose?.();
    };
    inner.onerror = (error) => this.onerror?.(error);
  }

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  set sessionId(value: string | undefined) {
    this.inner.sessionId = value;
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const sent = this.inner.send(message, options);
    this.tracker.fromServer(message);
    return sent;
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  setProtocolVersion(version: string): void {
    this.inner.setProtocolVersion?.(version);
  }
}

/** Audits every connection of `server`: its `connect(transport)` wraps the transport first. */
export function withAudit<S extends { connect(transport: Transport): Promise<void> }>(server: S, opts: AuditOptions): S {
  const connect = server.connect.bind(server);
  server.connect = (transport: Transport) => connect(new AuditedTransport(transport, opts));
  return server;
}
