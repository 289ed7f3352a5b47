// Observes one stdio MCP connection from copies of the bytes relayed each way: splits them into
// lines (one JSON-RPC message per line), parses each, and correlates requests and answers into
// audit events (call.tracker.ts). Runs beside the relay, in its own thread (observer.thread.ts) or,
// failing that, in the relay's; each chunk carries the time it passed the relay.
import type { AuditEventV2 } from '../schemas/event.v2.ts';
import { CallTracker, type Stamp } from './call.tracker.ts';
import type { BuildOptions, Identity, SessionInfo } from './event.builder.ts';
import { LineSplitter, parseLine } from './line.splitter.ts';

export interface StdioObserverOptions {
  session: SessionInfo;
  identity: Identity;
  build: BuildOptions;
  /** Names a 2025-era session at `initialize` (stdio has no session id of its own). */
  newSessionId: () => string;
  emit: (event: AuditEventV2) => void;
  onError: (err: unknown) => void;
}

export class StdioObserver {
  readonly tracker: CallTracker;
  private at: Stamp = { wallMs: 0, monoMs: 0 };
  private readonly fromClientLines: LineSplitter;
  private readonly fromServerLines: LineSplitter;

  constructor(opts: StdioObserverOptions) {
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
      const msg = parseLine(line);
      if (msg !== null) tracker.fromClient(msg, { at: this.at });
    });
    this.fromServerLines = new LineSplitter((line) => {
      const msg = parseLine(line);
      if (msg !== null) tracker.fromServer(msg, undefined, this.at);
    });
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
