// Stall detection for a side that fills a table: when the row count has not grown for `stallMs`,
// that side is stopped and reported with what it reached, instead of waiting out a long timeout
// (ClickHouse 18.16's Kafka engine once stopped at 999,999 of 1,000,000 rows).

export type Progress =
  | { state: 'complete'; rows: number; atMs: number }
  | { state: 'running'; rows: number }
  | { state: 'stalled'; rows: number; lastGrowthMs: number }
  | { state: 'timed-out'; rows: number; lastGrowthMs: number };

export class StallWatch {
  private readonly target: number;
  private readonly stallMs: number;
  private readonly timeoutMs: number;
  private readonly startMs: number;
  private rows = 0;
  private lastGrowthMs: number;

  /** Times are ms on one clock (performance.now()); the side started at `startMs`. */
  constructor(opts: { target: number; stallMs: number; timeoutMs: number; startMs: number }) {
    this.target = opts.target;
    this.stallMs = opts.stallMs;
    this.timeoutMs = opts.timeoutMs;
    this.startMs = opts.startMs;
    this.lastGrowthMs = opts.startMs;
  }

  /** Feeds one row count read at `nowMs`, returns the verdict. */
  observe(rows: number, nowMs: number): Progress {
    // Growth against the previous reading, not the maximum: a caller may switch from count() to
    // distinct events near the end (duplicates from a rebalance), which reads lower once.
    if (rows > this.rows) this.lastGrowthMs = nowMs;
    this.rows = rows;
    if (rows >= this.target) return { state: 'complete', rows, atMs: nowMs };
    if (nowMs - this.startMs > this.timeoutMs) return { state: 'timed-out', rows: this.rows, lastGrowthMs: this.lastGrowthMs };
    // The stall clock starts at the start too: a side that never inserts a row stalls as well.
    if (nowMs - this.lastGrowthMs > this.stallMs) return { state: 'stalled', rows: this.rows, lastGrowthMs: this.lastGrowthMs };
    return { state: 'running', rows: this.rows };
  }
}
