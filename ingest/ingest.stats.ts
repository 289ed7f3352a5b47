// The `ingest_stats` rows behind the pipeline-health dashboard (Grafana reads only ClickHouse): one
// row per pipeline and ingest process for every few seconds in which it read, stored or parked
// anything. Counts are summed over the period; `insert_ms` is its slowest insert and `lag` the lag
// at its end.
//
// Why a row per period and not per flush: every insert makes a part, and a one-row insert costs
// ClickHouse 18.16 about 8–12 ms of CPU (100 of them took 0.77–1.16 CPU-seconds, BENCHMARKS.md). At
// two flushes a second per worker, a row per flush doubled the parts ingest made.
import type { ClickHouseClient } from '../core/clickhouse.ts';
import type { Logger } from '../core/logger.ts';

/** How often a busy pipeline writes its row. */
export const STATS_EVERY_MS = 5_000;

export interface StatsOptions {
  table: string;
  topic: string;
  instance: string;
  /** Messages not yet read, summed over the pipeline's partitions. */
  lag: () => number;
  everyMs?: number;
}

export class IngestStats {
  private readonly ch: ClickHouseClient;
  private readonly log: Logger;
  private readonly opts: StatsOptions;
  private consumed = 0;
  private inserted = 0;
  private slowestInsertMs = 0;
  private readonly dead = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(ch: ClickHouseClient, log: Logger, opts: StatsOptions) {
    this.ch = ch;
    this.log = log;
    this.opts = opts;
  }

  read(n = 1): void {
    this.consumed += n;
  }

  deadLettered(reason: string, n = 1): void {
    this.dead.set(reason, (this.dead.get(reason) ?? 0) + n);
  }

  stored(rows: number, insertMs: number): void {
    this.inserted += rows;
    this.slowestInsertMs = Math.max(this.slowestInsertMs, insertMs);
  }

  start(): void {
    // Unref'd: the stats never keep a stopping process alive.
    this.timer ??= setInterval(() => void this.write(), this.opts.everyMs ?? STATS_EVERY_MS).unref();
  }

  /** Stops the timer and writes what the last period counted. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.write();
  }

  /** One row for the period since the last, if anything happened in it; best effort. */
  private write(): Promise<void> {
    this.writing = this.writing.then(() => this.writeRow());
    return this.writing;
  }

  private async writeRow(): Promise<void> {
    if (this.consumed === 0 && this.inserted === 0 && this.dead.size === 0) return;
    const reasons = [...this.dead.keys()];
    const row = {
      ts: Math.floor(Date.now() / 1000),
      topic: this.opts.topic,
      consumed: this.consumed,
      inserted: this.inserted,
      dead_lettered: reasons.reduce((n, r) => n + this.dead.get(r)!, 0),
      dead_letter_reasons: reasons,
      dead_letter_counts: reasons.map((r) => this.dead.get(r)!),
      insert_ms: this.slowestInsertMs,
      lag: this.opts.lag(),
      instance: this.opts.instance,
    };
    this.consumed = this.inserted = this.slowestInsertMs = 0;
    this.dead.clear();
    try {
      await this.ch.insert({ table: this.opts.table, values: [row], format: 'JSONEachRow' });
    } catch (err) {
      this.log.debug({ err }, 'could not write ingest_stats');
    }
  }
}
