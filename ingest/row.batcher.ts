// Collects items and hands them to `flush` in batches: when `maxRows` are waiting, or when the
// oldest has waited `flushMs`. One flush runs at a time, so batches reach ClickHouse in order and at
// about one insert per `flushMs` under steady load. `hasRoom` is the backpressure: the consumer
// runtime stops intake while `maxPending` items are buffered or in flight (ClickHouse slow or down).

export interface BatcherOptions {
  maxRows: number;
  flushMs: number;
  maxPending: number;
  /** Called when a flush throws (only when stopping); its items stay uncommitted and come again. */
  onError: (err: unknown) => void;
  /** The wall clock the age of the oldest item is read from (tests make it lag behind the timers). */
  now?: () => number;
}

export class RowBatcher<T> {
  private buffer: T[] = [];
  private oldestAt = 0;
  private inFlight = 0;
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private draining = false;
  private failed = false;
  private readonly opts: BatcherOptions;
  private readonly flush: (items: T[]) => Promise<void>;
  private readonly now: () => number;

  constructor(opts: BatcherOptions, flush: (items: T[]) => Promise<void>) {
    this.opts = opts;
    this.flush = flush;
    this.now = opts.now ?? Date.now;
  }

  add(item: T): void {
    if (this.buffer.length === 0) {
      this.oldestAt = this.now();
      this.armTimer();
    }
    this.buffer.push(item);
    if (this.buffer.length >= this.opts.maxRows) this.kick();
  }

  /** Items buffered or being flushed. */
  pending(): number {
    return this.buffer.length + this.inFlight;
  }

  /** True while intake may add without waiting (checked per message, so no promise is made when there is room). */
  hasRoom(): boolean {
    return this.pending() < this.opts.maxPending;
  }

  /** Flushes everything buffered and waits for it (shutdown). */
  async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.pending() > 0 && !this.failed) {
        this.kick();
        await this.running;
      }
    } finally {
      this.draining = false;
    }
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Wakes up when the oldest buffered item is `flushMs` old (at least 1 ms from now). */
  private armTimer(): void {
    if (this.timer) return;
    const wait = Math.max(1, this.opts.flushMs - (this.now() - this.oldestAt));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.kick();
    }, wait);
  }

  private due(): boolean {
    if (this.buffer.length === 0) return false;
    return this.draining || this.buffer.length >= this.opts.maxRows || this.now() - this.oldestAt >= this.opts.flushMs;
  }

  private kick(): void {
    if (this.running) return;
    if (!this.due()) {
      // Node's timers and Date.now() are different clocks: a timer may fire a moment before the
      // oldest item is `flushMs` old by the wall clock. Without a new timer those rows would wait
      // until `maxRows` arrive, which under light traffic is never.
      if (this.buffer.length > 0) this.armTimer();
      return;
    }
    this.running = this.loop()
      .catch((err: unknown) => {
        this.failed = true;
        this.opts.onError(err);
      })
      .finally(() => {
        this.running = null;
        if (this.buffer.length > 0 && !this.failed) (this.due() ? this.kick() : this.armTimer());
      });
  }

  private async loop(): Promise<void> {
    while (this.due()) {
      const items = this.buffer.splice(0, this.opts.maxRows);
      this.oldestAt = this.now();
      this.inFlight = items.length;
      try {
        await this.flush(items);
      } finally {
        this.inFlight = 0;
      }
    }
  }
}
