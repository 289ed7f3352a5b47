// Observes one stdio MCP connection from copies of the bytes relayed each way: splits them into
// lines (one JSON-RPC message per line), parses each, and correlates requests and answers into
// audit events (call.tracker.ts). Runs beside the relay, in its own thread (observer.thread.ts) or,
// failing that, in the relay's; each chunk carries the time it passed the relay.
//
// When it falls behind the relay (large calls coming faster than their events can be built), a
// large message is skimmed instead of inspected: its keyed hash and size and a scan for its
// method, id and tool, as the HTTP proxy does for bodies over its budget. Every call still yields
// its event, the backlog drains at hashing speed instead of growing, and the relay is never slowed.
import type { AuditEventV2 } from '../schemas/event.v2.ts';
import { BodyInspector } from './body.inspector.ts';
import { requestsOf, responsesOf } from './body.messages.ts';
import { CallTracker, stampNow, type Stamp } from './call.tracker.ts';
import type { BuildOptions, Identity, SessionInfo } from './event.builder.ts';
import { LineSplitter, parseLine } from './line.splitter.ts';

/** Behind the relay by more than this (ms), large messages are skimmed. */
export const SKIM_LAG_MS = 2_000;
/** Messages up to this size are always inspected whole: they cost little. */
export const SKIM_MIN_BYTES = 64 * 1024;

export interface StdioObserverOptions {
  session: SessionInfo;
  identity: Identity;
  build: BuildOptions;
  /** Names a 2025-era session at `initialize` (stdio has no session id of its own). */
  newSessionId: () => string;
  emit: (event: AuditEventV2) => void;
  onError: (err: unknown) => void;
  /** A message was skimmed, not inspected: its size and how far behind the relay the observer was. */
  onSkim?: (bytes: number, lagMs: number) => void;
}

export class StdioObserver {
  readonly tracker: CallTracker;
  private at: Stamp = { wallMs: 0, monoMs: 0 };
  private readonly fromClientLines: LineSplitter;
  private readonly fromServerLines: LineSplitter;
  private readonly opts: StdioObserverOptions;

  constructor(opts: StdioObserverOptions) {
    this.opts = opts;
    const tracker = new CallTracker({
      session: opts.session,
      identity: opts.identity,
      build: opts.build,
      emit: opts.emit,
      onError: opts.onError,
      newSessionId: opts.newSessionId,
    });
    this.tracker = tracker;
    this.fromClientLines = new LineSplitter((line) => {
      const skimmed = this.skim(line, 'arguments');
      if (skimmed) {
        const { message, uninspected } = requestsOf(skimmed);
        if (message !== null) tracker.fromClient(message, { at: this.at, ...(uninspected ? { uninspected } : {}) });
        return;
      }
      const msg = parseLine(line);
      if (msg !== null) tracker.fromClient(msg, { at: this.at });
    });
    this.fromServerLines = new LineSplitter((line) => {
      const skimmed = this.skim(line, 'result');
      if (skimmed) {
        const { message, uninspected } = responsesOf(skimmed);
        if (message !== null) tracker.fromServer(message, uninspected, this.at);
        return;
      }
      const msg = parseLine(line);
      if (msg !== null) tracker.fromServer(msg, undefined, this.at);
    });
  }

  /** A large line while behind the relay: its digest and skeleton; otherwise null (inspect it whole). */
  private skim(line: Buffer, domain: 'arguments' | 'result') {
    if (line.length <= SKIM_MIN_BYTES) return null;
    const lagMs = stampNow().monoMs - this.at.monoMs;
    if (lagMs <= SKIM_LAG_MS) return null;
    this.opts.onSkim?.(line.length, lagMs);
    const body = new BodyInspector({ key: this.opts.build.hashKey, domain }, 0);
    body.write(line);
    return body.end();
  }

  /** Bytes the client sent, at the time they passed the relay. */
  fromClient(chunk: Buffer, at: Stamp): void {
    this.at = at;
    this.fromClientLines.push(chunk);
  }

  /** Bytes the server sent, at the time they passed the relay. */
  fromServer(chunk: Buffer, at: Stamp): void {
    this.at = at;
    this.fromServerLines.push(chunk);
  }

  /** The connection closed: calls still waiting are reported as unanswered. */
  close(at: Stamp): void {
    this.tracker.close(at);
  }
}
