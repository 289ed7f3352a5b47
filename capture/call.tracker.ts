// Correlates the JSON-RPC messages of one MCP connection (requests from the client, responses from
// the server, matched by id; batches and notifications handled) and hands each finished exchange
// of an audited method to `emit` as an audit event. It only observes parsed copies of the
// messages: what is relayed is never touched here, and nothing here ever throws to the relay.
import type { AuditEventV2 } from '../schemas/event.v2.ts';
import { AUDITED_METHODS, buildEvent, type BodyDigest, type BuildOptions, type Identity, type ObservedCall, type SessionInfo } from './event.builder.ts';
import { serverOf } from './request.meta.ts';

interface Pending {
  method: string;
  requestId: string | number;
  params: Record<string, unknown> | undefined;
  startedAtMs: number;
  /** Monotonic start (ms, absolute: performance.timeOrigin + performance.now()). */
  t0: number;
  identity: Identity;
  uninspected?: BodyDigest;
  protocolVersion?: string;
}

/**
 * When a message was seen: wall-clock time for the event's `ts`, monotonic time (absolute, so it
 * compares across threads) for durations. Taken where the bytes passed, which may be another thread.
 */
export interface Stamp {
  wallMs: number;
  monoMs: number;
}

export const stampNow = (): Stamp => ({ wallMs: Date.now(), monoMs: performance.timeOrigin + performance.now() });

/** What the transport knows of a client message beside its body. */
export interface ClientMessageContext {
  /** The caller, when it differs from the tracker's default (HTTP headers, SDK auth info). */
  identity?: Identity;
  /** The body was too big to read whole: `message` holds only what a scan found; its hash and size stand in for the arguments. */
  uninspected?: BodyDigest;
  /** The protocol version the transport names (HTTP `MCP-Protocol-Version`), for calls whose `_meta` names none. */
  protocolVersion?: string;
  /** When it was seen; default now. */
  at?: Stamp;
}

/**
 * Methods followed to their answer without being reported: the 2025-era handshake, and the
 * 2026-07-28 discovery probe, whose answers name the server.
 */
const HANDSHAKES = new Set(['initialize', 'server/discover']);

export interface CallTrackerDeps {
  session: SessionInfo;
  /** Identity of the caller; may differ per message (HTTP headers), so it is read per request. */
  identity: Identity;
  build: BuildOptions;
  emit: (event: AuditEventV2) => void;
  /** Called when an exchange could not be turned into an event (a bug or a hostile message). */
  onError?: (err: unknown) => void;
  /** Most calls waiting for a response at once; beyond it the oldest is reported as no_response. */
  maxPending?: number;
  /**
   * Names a session the transport has no id for (stdio), when a 2025-era client opens one with
   * `initialize`. 2026-07-28 traffic has no session: its calls are grouped into episodes instead.
   */
  newSessionId?: () => string;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
/** A call stripped to its method, tool name and outcome status, for when the whole one cannot be built. */
function bare(call: ObservedCall): ObservedCall {
  const name = typeof call.params?.name === 'string' ? call.params.name : undefined;
  const outcome = 'result' in call.outcome ? { result: null } : call.outcome;
  return { ...call, params: name === undefined ? undefined : { name }, outcome };
}
const keyOf = (id: unknown) => (typeof id === 'number' ? `n${id}` : `s${String(id)}`);

export class CallTracker {
  private readonly pending = new Map<string, Pending>();
  private readonly deps: CallTrackerDeps;
  private readonly maxPending: number;

  constructor(deps: CallTrackerDeps) {
    this.deps = deps;
    this.maxPending = deps.maxPending ?? 10_000;
  }

  get session(): SessionInfo {
    return this.deps.session;
  }

  /** A message (or batch) the client sent to the server, with what the transport knows of it. */
  fromClient(message: unknown, context: ClientMessageContext = {}): void {
    const { identity = this.deps.identity, uninspected, protocolVersion } = context;
    const at = context.at ?? stampNow();
    this.guard(() => {
      for (const m of Array.isArray(message) ? message : [message]) {
        if (!isObject(m) || typeof m.method !== 'string') continue; // a response to a server request
        const params = isObject(m.params) ? m.params : undefined;
        if (m.method === 'notifications/cancelled') {
          this.finish(params?.requestId, { missing: 'cancelled' }, at);
          continue;
        }
        if (m.id === undefined || m.id === null) continue; // other notifications
        if (m.method === 'initialize') this.noteClient(params);
        if (!HANDSHAKES.has(m.method) && !AUDITED_METHODS[m.method]) continue;
        if (this.pending.size >= this.maxPending) {
          const oldest = this.pending.keys().next().value;
          if (oldest !== undefined) this.finishKey(oldest, { missing: 'no_response' }, at);
        }
        this.pending.set(keyOf(m.id), {
          method: m.method,
          requestId: m.id as string | number,
          params,
          startedAtMs: at.wallMs,
          t0: at.monoMs,
          identity,
          ...(uninspected ? { uninspected } : {}),
          ...(protocolVersion ? { protocolVersion } : {}),
        });
      }
    });
  }

  /** A message (or batch) the server sent to the client; `uninspected` as for `fromClient`. */
  fromServer(message: unknown, uninspected?: BodyDigest, at: Stamp = stampNow()): void {
    this.guard(() => {
      for (const m of Array.isArray(message) ? message : [message]) {
        if (!isObject(m) || m.method !== undefined || m.id === undefined) continue; // server requests, notifications
        if (isObject(m.error)) {
          this.finish(m.id, { error: { code: Number(m.error.code), message: String(m.error.message ?? '') } }, at);
        } else this.finish(m.id, { result: m.result }, at, uninspected);
      }
    });
  }

  /** Reports every call still waiting (the connection closed under it). */
  close(at: Stamp = stampNow()): void {
    this.guard(() => {
      for (const key of [...this.pending.keys()]) this.finishKey(key, { missing: 'no_response' }, at);
    });
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  private noteClient(params: Record<string, unknown> | undefined): void {
    const info = isObject(params?.clientInfo) ? params.clientInfo : undefined;
    if (typeof info?.name === 'string') this.session.clientName = info.name;
    if (typeof info?.version === 'string') this.session.clientVersion = info.version;
    if (typeof params?.protocolVersion === 'string') this.session.protocolVersion = params.protocolVersion;
    if (!this.session.sessionId && this.deps.newSessionId) this.session.sessionId = this.deps.newSessionId();
  }

  /** The server as an `initialize` answer names it (2025-era), or as any result's `_meta` does (2026-07-28). */
  private noteServer(result: unknown, handshake: boolean): void {
    if (!isObject(result)) return;
    const info = handshake && isObject(result.serverInfo) ? result.serverInfo : serverOf(result);
    if (typeof info?.name === 'string' && info.name) this.session.serverName = info.name;
    if (typeof info?.version === 'string') this.session.serverVersion = info.version;
    if (handshake && typeof result.protocolVersion === 'string') this.session.protocolVersion = result.protocolVersion;
  }

  private finish(id: unknown, outcome: ObservedCall['outcome'], at: Stamp, uninspectedResult?: BodyDigest): void {
    if (id === undefined || id === null) return;
    this.finishKey(keyOf(id), outcome, at, uninspectedResult);
  }

  private finishKey(key: string, outcome: ObservedCall['outcome'], at: Stamp, uninspectedResult?: BodyDigest): void {
    const p = this.pending.get(key);
    if (!p) return;
    this.pending.delete(key);
    const handshake = HANDSHAKES.has(p.method);
    if ('result' in outcome) this.noteServer(outcome.result, handshake);
    if (handshake) return;
    const call: ObservedCall = { method: p.method, requestId: p.requestId, params: p.params, startedAtMs: p.startedAtMs, durationMs: at.monoMs - p.t0, outcome };
    if (p.protocolVersion) call.protocolVersion = p.protocolVersion;
    if (p.uninspected || uninspectedResult) call.uninspected = { ...(p.uninspected ? { arguments: p.uninspected } : {}), ...(uninspectedResult ? { result: uninspectedResult } : {}) };
    let event: AuditEventV2 | null;
    try {
      event = buildEvent(call, p.identity, this.session, this.deps.build);
    } catch (err) {
      // Every call yields its event: without what could not be inspected, but with who, what and when.
      this.deps.onError?.(err);
      event = buildEvent(bare(call), p.identity, this.session, this.deps.build);
    }
    if (event) this.deps.emit(event);
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.deps.onError?.(err);
    }
  }
}
