// Event time per Kafka partition. A detector consumes several partitions; each is ordered, but they
// are read at different speeds. Taking the largest event time over all of them as "now" makes a
// lagging partition's events look late (and its suppressions and absence timers expire early), so
// the watermark is the minimum over the partitions that are active, as stream processors do. A
// partition with no new event for `idleMs` (wall time) stops holding the watermark back.
export class PartitionWatermark {
  private readonly parts = new Map<number, { maxTs: number; seenAt: number }>();
  private readonly idleMs: number;
  constructor(idleMs: number) {
    this.idleMs = idleMs;
  }

  /** Records an event time read from `partition`. */
  observe(partition: number, ts: number, nowMs: number): void {
    const p = this.parts.get(partition);
    if (!p) this.parts.set(partition, { maxTs: ts, seenAt: nowMs });
    else {
      if (ts > p.maxTs) p.maxTs = ts;
      p.seenAt = nowMs;
    }
  }

  /** The partitions this consumer owns changed: forget the others. */
  assign(partitions: readonly number[]): void {
    for (const k of this.parts.keys()) if (!partitions.includes(k)) this.parts.delete(k);
  }

  /** Minimum event time over active partitions (the maximum when all are idle); -Infinity before any event. */
  current(nowMs: number): number {
    let min = Infinity;
    let max = -Infinity;
    for (const p of this.parts.values()) {
      if (p.maxTs > max) max = p.maxTs;
      if (nowMs - p.seenAt <= this.idleMs && p.maxTs < min) min = p.maxTs;
    }
    return min === Infinity ? max : min;
  }
}
