// The buffer between capture and Kafka. `push` never blocks and never throws, so a slow or dead
// Kafka can neither fail nor slow an MCP call. Events wait in a bounded in-memory queue; when
// Kafka stops answering (a send unacknowledged for `sendTimeoutMs`) or the queue is full, they are
// appended to a local spill file instead, and replayed from it in order once Kafka answers again.
// The file also survives the process: a later process adopts the spill files of dead ones. Only
// when the spill files reach `maxSpillBytes` are events dropped, and each drop is counted and logged.
//
// An event that can never be sent (invalid, too large, refused by the broker) is not retried: it
// goes to a rejects file (`rejected-*.ndjson`, one `{reason, event}` a line, never replayed) beside
// the spill files, so its batch goes on without it and an operator can see why (the file counts
// toward `maxSpillBytes` until the operator removes it). The counts add up:
// events seen (one per call) + adopted = sent + spilled (to the rejects file) + dropped + pending.
//
// Order: while spilling, every new event goes to the file behind the spilled ones, and the file is
// drained before the queue is used again, so events reach Kafka in the order they were pushed.
// Delivery is at least once: a batch that was in flight when the process stopped is spilled too,
// and may arrive twice; its event ids make the second copy invisible downstream.
//
// This file is the delivery loop (connect, send, acknowledge, retry, back off, spill or not); the
// files on disk are spill.segments.ts (the segmented log) and spill.rejects.ts, the metrics
// spill.metrics.ts.
import { ConfigError } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import type { Registry } from '../core/metrics.ts';
import type { Rejection } from '../producer/audit.producer.ts';
import { auditEvent, type AuditEvent } from '../schemas/event.ts';
import { spillMetrics } from './spill.metrics.ts';
import { RejectsFile } from './spill.rejects.ts';
import { SegmentStore, type ReadMark } from './spill.segments.ts';

/** Wait before connecting again after Kafka refused our settings (core/kafka.security.ts). */
const SETTINGS_RETRY_MS = 60_000;

/** What the buffer needs from the producer library (AuditProducer fits). */
export interface EventSender {
  connect(): Promise<void>;
  /** Sends the valid events; resolves with those that were not sent and why; rejects if Kafka is away. */
  sendEach(events: unknown[]): Promise<Rejection[]>;
  disconnect(): Promise<void>;
}

export interface SpillBufferOptions {
  spillDir: string;
  maxMemoryEvents: number;
  maxSpillBytes: number;
  /** A send unacknowledged for this long means Kafka is down: spill from then on. */
  sendTimeoutMs: number;
  maxBatch?: number;
  /** Wait before retrying after a failed connect or send. */
  retryMs?: number;
}

export interface SpillBufferDeps {
  producer: EventSender;
  log: Logger;
  registry?: Registry;
}

export interface SpillBufferStats {
  /** Events pushed: one per call. */
  seen: number;
  /** Events taken over from the spill files of dead processes. */
  adopted: number;
  /** Acknowledged by Kafka. */
  sent: number;
  /** Cannot be sent (invalid, too large, refused): kept in the rejects file with the reason. */
  spilled: number;
  spilledBy: Record<string, number>;
  /** Lost: the spill budget was exhausted, a write failed, or a spilled line was cut by a crash. */
  dropped: number;
  droppedBy: Record<string, number>;
  /** On the way: in memory, in flight, or in the spill file waiting for Kafka. */
  pending: number;
  /** Written to the spill file while Kafka was away or slow, to be replayed (not an outcome). */
  spooled: number;
  memory: number;
  spillBytes: number;
  kafkaUp: boolean;
}

interface Batch {
  events: AuditEvent[];
  /** Set when the batch came from the spill file: acknowledging it trims the file to here. */
  fileEnd?: ReadMark;
}

/** Why an event was not sent and kept in the rejects file. */
export type SpillReason = 'invalid' | 'rejected';
/** Why an event was lost. */
export type DropReason = 'spill_full' | 'write_failed' | 'corrupt_line';

export class SpillBuffer {
  private readonly opts: Required<SpillBufferOptions>;
  private readonly deps: SpillBufferDeps;
  private memory: AuditEvent[] = [];
  /** Events spilled while Kafka was away or slow, replayed in order. */
  private readonly file: SegmentStore<AuditEvent>;
  private readonly rejects: RejectsFile;
  /** While true, new events go to the file behind the spilled ones and batches come from the file. */
  private spilling = false;
  private retry: Batch | null = null;
  private inFlight: Batch | null = null;
  private connected = false;
  private stopped = false;
  private wakeUp: (() => void) | null = null;
  private loop: Promise<void> = Promise.resolve();
  /** Set from the first drop until the spill file has room again: one loud log line per episode. */
  private dropEpisode: { reason: DropReason; dropped: number } | null = null;
  private readonly counts = { seen: 0, adopted: 0, sent: 0, spooled: 0 };
  private readonly spilledBy: Record<string, number> = {};
  private readonly droppedBy: Record<string, number> = {};
  private kafkaUp = false;
  /** Until when not to connect again, after Kafka refused our credentials or certificates. */
  private settingsRefusedUntil = 0;
  private readonly metrics;

  constructor(opts: SpillBufferOptions, deps: SpillBufferDeps) {
    this.opts = { maxBatch: 500, retryMs: 1000, ...opts };
    this.deps = deps;
    this.metrics = spillMetrics(deps.registry);
    this.rejects = new RejectsFile(opts.spillDir);
    this.file = new SegmentStore<AuditEvent>({
      dir: opts.spillDir,
      onWrite: (lost) => {
        if (lost) this.reportDropped(lost.records, 'write_failed', lost.err);
        this.metrics.spillBytes.set(this.file.bytes());
        this.wakeUp?.();
      },
    });
  }

  /** Adopts spill files of dead processes, then starts delivering in the background. */
  start(): void {
    const adopted = this.file.recover();
    this.rejects.recover();
    this.count('adopted', adopted.records);
    if (adopted.segments) {
      this.spilling = true;
      this.deps.log.info({ files: adopted.segments, bytes: this.file.bytes() }, 'replaying audit events spilled by an earlier run');
    }
    this.loop = this.run();
  }

  /** Queues one event. Never throws, never waits. */
  push(event: AuditEvent): void {
    this.counts.seen++;
    this.metrics.seen.inc();
    const valid = auditEvent.safeParse(event);
    if (!valid.success) {
      const reason = valid.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ');
      this.deps.log.error({ kind: event?.kind, reason }, 'capture built an invalid audit event; kept in the rejects file');
      this.reject(event, 'invalid', reason);
      return;
    }
    if (this.spilling) this.appendToFile([event]);
    else if (this.memory.length < this.opts.maxMemoryEvents) this.memory.push(event);
    else {
      this.startSpilling('memory queue full');
      this.appendToFile([event]);
    }
    this.wakeUp?.();
  }

  stats(): SpillBufferStats {
    const sum = (by: Record<string, number>) => Object.values(by).reduce((a, b) => a + b, 0);
    let pending = this.memory.length + this.file.records;
    for (const b of [this.inFlight, this.retry]) if (b && !b.fileEnd) pending += b.events.length;
    return {
      ...this.counts,
      spilled: sum(this.spilledBy),
      spilledBy: { ...this.spilledBy },
      dropped: sum(this.droppedBy),
      droppedBy: { ...this.droppedBy },
      pending,
      memory: this.memory.length,
      spillBytes: this.file.bytes(),
      kafkaUp: this.kafkaUp,
    };
  }

  /** Waits until everything pushed so far is acknowledged, or `timeoutMs` passes. True if drained. */
  async drain(timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (this.idle()) return true;
      this.wakeUp?.();
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.idle();
  }

  /**
   * Sends what it can within `deadlineMs`, writes whatever is left (queue, in-flight and failed
   * batches) to the spill file for the next process, and disconnects.
   */
  async stop(deadlineMs = 5_000): Promise<void> {
    await this.drain(deadlineMs);
    this.stopped = true;
    this.wakeUp?.();
    const leftovers: AuditEvent[] = [];
    for (const b of [this.inFlight, this.retry]) if (b && !b.fileEnd) leftovers.push(...b.events);
    leftovers.push(...this.memory);
    this.memory = [];
    if (leftovers.length) {
      this.startSpilling('stopping with undelivered events');
      this.appendToFile(leftovers);
    }
    this.file.write();
    const left = this.file.bytes();
    if (left > 0) this.deps.log.warn({ spillDir: this.opts.spillDir, bytes: left }, 'undelivered audit events stay in the spill file for the next run');
    await Promise.race([this.loop, new Promise((r) => setTimeout(r, 500))]);
    await Promise.race([this.deps.producer.disconnect().catch(() => undefined), new Promise((r) => setTimeout(r, 1_000))]);
  }

  private idle(): boolean {
    return this.memory.length === 0 && !this.inFlight && !this.retry && !this.spilling;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.step();
      } catch (err) {
        // A full disk or a removed spill folder must not end delivery for good.
        this.deps.log.error({ err }, 'audit event delivery step failed; retrying');
        await this.sleep(this.opts.retryMs);
      }
    }
  }

  private async step(): Promise<void> {
    if (!this.connected) {
      // A push wakes this loop; while Kafka refuses our settings it must not reconnect on every call.
      const refused = this.settingsRefusedUntil - Date.now();
      if (refused > 0) {
        await this.sleep(refused);
        return;
      }
      try {
        await this.deps.producer.connect();
        this.connected = true;
      } catch (err) {
        this.setKafkaUp(false);
        if (!this.spilling && this.memory.length) this.startSpilling('Kafka unreachable');
        if (err instanceof ConfigError) {
          // A refused password or certificate does not fix itself in a second: say so as an error and
          // try again rarely (the broker's side may yet be corrected) while events wait on disk.
          this.deps.log.error({ err }, 'Kafka refuses our connection settings; audit events wait in the spill file');
          this.settingsRefusedUntil = Date.now() + SETTINGS_RETRY_MS;
        } else {
          this.deps.log.warn({ err }, 'cannot reach Kafka; audit events wait in the buffer');
          await this.sleep(this.opts.retryMs);
        }
        return;
      }
    }
    const batch = this.retry ?? this.nextBatch();
    this.retry = null;
    if (!batch) {
      await this.sleep(1_000);
      return;
    }
    this.inFlight = batch;
    const ok = await this.send(batch);
    this.inFlight = null;
    if (this.stopped && !ok) {
      this.retry = batch;
      return;
    }
    if (ok) this.acknowledge(batch);
    else {
      this.retry = batch;
      await this.sleep(this.opts.retryMs);
    }
  }

  private async send(batch: Batch): Promise<boolean> {
    // Only lost lines were read (the file is trimmed past them): nothing to send.
    if (batch.events.length === 0) return true;
    // kafkajs retries a send to a dead broker for as long as it takes; this timer notices the wait
    // and moves new events to the file meanwhile, so memory stays bounded and a crash loses nothing.
    const watch = setTimeout(() => {
      this.setKafkaUp(false);
      this.startSpilling('Kafka did not acknowledge in time');
    }, this.opts.sendTimeoutMs);
    try {
      const rejected = await this.deps.producer.sendEach(batch.events);
      this.setKafkaUp(true);
      for (const r of rejected) {
        this.deps.log.error({ reason: r.reason }, 'an audit event cannot be sent; kept in the rejects file');
        this.reject(r.event, 'rejected', r.reason);
      }
      this.count('sent', batch.events.length - rejected.length);
      return true;
    } catch (err) {
      this.setKafkaUp(false);
      this.deps.log.warn({ err }, 'sending audit events failed; will retry');
      return false;
    } finally {
      clearTimeout(watch);
    }
  }

  private acknowledge(batch: Batch): void {
    if (!batch.fileEnd) return;
    this.file.trim(batch.fileEnd, batch.events.length);
    if (this.file.isEmpty()) {
      this.spilling = false;
      this.deps.log.info('spill file replayed; back to the in-memory queue');
      this.endDropEpisode();
    }
    this.metrics.spillBytes.set(this.file.bytes());
  }

  private nextBatch(): Batch | null {
    if (!this.spilling) {
      if (!this.memory.length) return null;
      return { events: this.memory.splice(0, this.opts.maxBatch) };
    }
    const read = this.file.read(this.opts.maxBatch);
    if (!read) {
      this.spilling = false;
      return this.nextBatch();
    }
    if (read.corrupt) this.lost(read.corrupt, 'corrupt_line');
    return read.mark ? { events: read.records, fileEnd: read.mark } : null;
  }

  private startSpilling(reason: string): void {
    if (this.spilling) return;
    this.spilling = true;
    this.deps.log.warn({ reason, spillDir: this.opts.spillDir, queued: this.memory.length }, 'spilling audit events to disk');
    const queued = this.memory;
    this.memory = [];
    this.appendToFile(queued);
  }

  private appendToFile(events: AuditEvent[]): void {
    if (!events.length) return;
    const appended = this.file.append(events, (bytes) => this.hasRoom(bytes));
    this.count('spooled', appended);
    if (appended < events.length) this.reportDropped(events.length - appended, 'spill_full');
  }

  /** Whether `bytes` more fit the spill budget (spill segments and rejects file together). */
  private hasRoom(bytes: number): boolean {
    if (this.file.bytes() + this.rejects.bytes + bytes > this.opts.maxSpillBytes) return false;
    this.endDropEpisode();
    return true;
  }

  private endDropEpisode(): void {
    if (!this.dropEpisode) return;
    this.deps.log.warn({ dropped: this.dropEpisode.dropped, reason: this.dropEpisode.reason }, 'spill file has room again: audit events are kept again');
    this.dropEpisode = null;
  }

  /** Keeps an event that cannot be sent in the rejects file with its reason, or drops it if full. */
  private reject(event: unknown, reason: SpillReason, detail: string): void {
    let line: string;
    try {
      line = `${JSON.stringify({ at: new Date().toISOString(), reason, detail, event })}\n`;
    } catch (err) {
      return this.reportDropped(1, 'write_failed', err);
    }
    if (!this.hasRoom(Buffer.byteLength(line))) return this.reportDropped(1, 'spill_full');
    try {
      this.rejects.append(line);
      this.spilledBy[reason] = (this.spilledBy[reason] ?? 0) + 1;
      this.metrics.events.inc({ outcome: 'spilled', reason });
    } catch (err) {
      this.reportDropped(1, 'write_failed', err);
    }
  }

  /** Spilled events that could not be read back (the file already stopped counting them). */
  private lost(n: number, reason: DropReason): void {
    this.droppedBy[reason] = (this.droppedBy[reason] ?? 0) + n;
    this.metrics.events.inc({ outcome: 'dropped', reason }, n);
    this.deps.log.warn({ n, reason }, 'unreadable lines in the spill file: audit events lost');
  }

  private reportDropped(n: number, reason: DropReason, err?: unknown): void {
    this.droppedBy[reason] = (this.droppedBy[reason] ?? 0) + n;
    this.metrics.events.inc({ outcome: 'dropped', reason }, n);
    // Loud, and once per episode: an overflow during a long outage must not flood the logs.
    if (this.dropEpisode) {
      this.dropEpisode.dropped += n;
      return;
    }
    this.dropEpisode = { reason, dropped: n };
    this.deps.log.error(
      { reason, droppedTotal: this.stats().dropped, maxSpillBytes: this.opts.maxSpillBytes, spillDir: this.opts.spillDir, err },
      'spill budget exhausted: AUDIT EVENTS ARE BEING DROPPED until Kafka takes them again',
    );
  }

  private count(what: keyof typeof this.counts, n: number): void {
    this.counts[what] += n;
    if (what === 'sent') this.metrics.events.inc({ outcome: 'sent' }, n);
    else if (what !== 'seen') this.metrics[what].inc(n);
    this.metrics.memory.set(this.memory.length);
  }

  private setKafkaUp(up: boolean): void {
    if (up !== this.kafkaUp) this.deps.log[up ? 'info' : 'warn'](up ? 'Kafka acknowledges audit events' : 'Kafka is not acknowledging audit events');
    this.kafkaUp = up;
    this.metrics.kafkaUp.set(up ? 1 : 0);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        done();
      };
    });
  }
}
