// Failed authentications per source address. A client that presents wrong keys again and again is
// guessing: after `max` failures within `windowMs` its requests get 429 before any key lookup, so
// guessing costs it time and costs ClickHouse nothing. Bounded: beyond `maxAddresses` tracked
// addresses the oldest are forgotten (a spray from many addresses is the network's to stop).
export interface FailedAuthLimiterOptions {
  max: number;
  windowMs: number;
  maxAddresses?: number;
}

interface Window {
  start: number;
  failures: number;
}

export class FailedAuthLimiter {
  private readonly byAddress = new Map<string, Window>();
  private readonly opts: Required<FailedAuthLimiterOptions>;

  constructor(opts: FailedAuthLimiterOptions) {
    this.opts = { maxAddresses: 100_000, ...opts };
  }

  /** Milliseconds until this address may try again; 0 when it is not limited. */
  retryAfterMs(address: string, nowMs = Date.now()): number {
    const w = this.byAddress.get(address);
    if (!w || nowMs - w.start >= this.opts.windowMs || w.failures < this.opts.max) return 0;
    return w.start + this.opts.windowMs - nowMs;
  }

  /** Records a failed authentication from this address. */
  fail(address: string, nowMs = Date.now()): void {
    let w = this.byAddress.get(address);
    if (!w || nowMs - w.start >= this.opts.windowMs) {
      this.byAddress.delete(address);
      w = { start: nowMs, failures: 0 };
      this.byAddress.set(address, w);
      if (this.byAddress.size > this.opts.maxAddresses) this.byAddress.delete(this.byAddress.keys().next().value!);
    }
    w.failures++;
  }
}
