// Correlates the JSON-RPC messages of one MCP connection (requests from the client, responses from
// the server, matched by id; batches and notifications handled) and hands each finished exchange
// of an audited method to `emit` as an audit event. It only observes parsed copies of the
// messages: what is relayed is never touched here, and nothing here ever throws to the relay.
import type { AuditEventV2 } from '../schemas/event.v2.ts';
import { AUDITED_METHODS, buildEvent, type BodyDigest, type BuildOptions, type Identity, type ObservedCall, type SessionInfo } from './event.builder.ts';

interface Pending {
  method: string;
  requestId: string | number;
  params: Record<string, unknown> | undefined;
  startedAtMs: number;
  t0: number;
  identity: Identity;
  uninspected?: BodyDigest;
}

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

  /**
   * A message (or batch) the client sent to the server. `identity` overrides the default.
   * `uninspected`: the body was too big to read whole; `message` holds only what a scan found, and
   * the body's hash and size stand in for the arguments.
   */
  fromClient(message: unknown, identity: Identity = this.deps.identity, uninspected?: BodyDigest): void {
    this.guard(() => {
      for (const m of Array.isArray(message) ? message : [message]) {
        if (!isObject(m) || typeof m.method !== 'string') continue; // a response to a server request
        const params = isObject(m.params) ? m.params : undefined;
        if (m.method === 'notifications/cancelled') {
          this.finish(params?.requestId, { missing: 'cancelled' });
          continue;
        }
        if (m.id === undefined || m.id === null) continue; // other notifications
        if (m.method === 'initialize') this.noteClient(params);
        if (m.method !== 'initialize' && !AUDITED_METHODS[m.method]) continue;
        if (this.pending.size >= this.maxPending) {
          const oldest = this.pending.keys().next().value;
          if (oldest !== undefined) this.finishKey(oldest, { missing: 'no_response' });
        }
        this.pending.set(keyOf(m.id), {
          method: m.method,
          requestId: m.id as string | number,
          params,
          startedAtMs: Date.now(),
          t0: performance.now(),
          identity,
          ...(uninspected ? { uninspected } : {}),
        });
      }
    });
  }

  /** A message (or batch) the server sent to the client; `uninspected` as for `fromClient`. */
  fromServer(message: unknown, uninspected?: BodyDigest): void {
    this.guard(() => {
      for (const m of Array.isArray(message) ? message : [message]) {
        if (!isObject(m) || m.method !== undefined || m.id === undefined) continue; // server requests, notifications
        if (isObject(m.error)) {
          this.finish(m.id, { error: { code: Number(m.error.code), message: String(m.error.message ?? '') } });
        } else this.finish(m.id, { result: m.result }, uninspected);
      }
    });
  }

  /** Reports every call still waiting (the connection closed under it). */
  close(): void {
    this.guard(() => {
      for (const key of [...this.pending.keys()]) this.finishKey(key, { missing: 'no_response' });
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
  }

  private noteServer(result: unknown): void {
    if (!isObject(result)) return;
    const info = isObject(result.serverInfo) ? result.serverInfo : undefined;
    if (typeof info?.name === 'string' && info.name) this.session.serverName = info.name;
    if (typeof info?.version === 'string') this.session.serverVersion = info.version;
    if (typeof result.protocolVersion === 'string') this.session.protocolVersion = result.protocolVersion;
  }

  private finish(id: unknown, outcome: ObservedCall['outcome'], uninspectedResult?: BodyDigest): void {
    if (id === undefined || id === null) return;
    this.finishKey(keyOf(id), outcome, uninspectedResult);
  }

  private finishKey(key: string, outcome: ObservedCall['outcome'], uninspectedResult?: BodyDigest): void {
    const p = this.pending.get(key);
    if (!p) return;
    this.pending.delete(key);
    if (p.method === 'initialize') {
      if ('result' in outcome) this.noteServer(outcome.result);
      return;
    }
    const call: ObservedCall = { method: p.method, requestId: p.requestId, params: p.params, startedAtMs: p.startedAtMs, durationMs: performance.now() - p.t0, outcome };
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
