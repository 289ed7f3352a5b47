// Tracks, per partition, which received offsets are finished (its sink confirmed it, or it was parked in
// the dead-letter topic) and yields the offset that is safe to commit: one past the end of the
// contiguous run of finished offsets from the start. A later batch that finishes first never lets
// the commit jump over an earlier one still in flight.
//
// Offsets arrive in increasing order within a partition. When the consumer group rebalances, or an
// offset arrives that is not greater than the last one seen (a rewind), the partition starts a new
// epoch: completions from the old epoch are ignored, because the new owner re-reads those messages.
// A message at or below the highest offset already received since the last reset (the last group
// join) is marked redelivered: Kafka sent it twice without a rebalance (a failed batch fetched again).

export interface Ticket {
  partition: number;
  offset: number;
  epoch: number;
  /** Received before in this assignment (since the last `reset`). */
  redelivered: boolean;
}

interface PartitionState {
  epoch: number;
  queue: number[];
  head: number;
  done: Set<number>;
  lastSeen: number;
  /** The highest offset received since the last reset, kept across rewinds. */
  highest: number;
  /** One past the last offset of the finished run, or -1 if none finished yet. */
  committable: number;
  /** The last offset a commit confirmed. */
  committed: number;
}

export class OffsetTracker {
  private readonly partitions = new Map<number, PartitionState>();
  private epochCounter = 0;

  /** Registers a received message; the ticket is handed back to `finish` once its sink confirmed. */
  receive(partition: number, offset: number): Ticket {
    let p = this.partitions.get(partition);
    if (!p || offset <= p.lastSeen) {
      const highest = p?.highest ?? -1;
      p = { epoch: ++this.epochCounter, queue: [], head: 0, done: new Set(), lastSeen: -1, highest, committable: -1, committed: -1 };
      this.partitions.set(partition, p);
    }
    p.queue.push(offset);
    p.lastSeen = offset;
    const redelivered = offset <= p.highest;
    if (!redelivered) p.highest = offset;
    return { partition, offset, epoch: p.epoch, redelivered };
  }

  finish(t: Ticket): void {
    const p = this.partitions.get(t.partition);
    if (!p || p.epoch !== t.epoch) return;
    p.done.add(t.offset);
    while (p.head < p.queue.length && p.done.has(p.queue[p.head]!)) {
      const o = p.queue[p.head++]!;
      p.done.delete(o);
      p.committable = o + 1;
    }
    // Compact the queue now and then so memory stays proportional to what is in flight.
    if (p.head > 4096 && p.head * 2 > p.queue.length) {
      p.queue = p.queue.slice(p.head);
      p.head = 0;
    }
  }

  /** False for a ticket of an earlier epoch (before a reset or a rewind): its message is read again. */
  isCurrent(t: Ticket): boolean {
    return this.partitions.get(t.partition)?.epoch === t.epoch;
  }

  /** Offsets that can be committed and were not yet, as kafkajs wants them. */
  committable(): { partition: number; offset: string }[] {
    const out: { partition: number; offset: string }[] = [];
    for (const [partition, p] of this.partitions) {
      if (p.committable > p.committed) out.push({ partition, offset: String(p.committable) });
    }
    return out;
  }

  /** Records a commit that Kafka confirmed, so it is not sent again. */
  committed(list: { partition: number; offset: string }[]): void {
    for (const c of list) {
      const p = this.partitions.get(c.partition);
      if (p) p.committed = Math.max(p.committed, Number(c.offset));
    }
  }

  /** The highest offset received for a partition since the last reset, if any. */
  highestReceived(partition: number): number | undefined {
    const h = this.partitions.get(partition)?.highest;
    return h === undefined || h < 0 ? undefined : h;
  }

  /** The last offset committed for a partition, if any. */
  committedOffset(partition: number): number | undefined {
    const c = this.partitions.get(partition)?.committed;
    return c === undefined || c < 0 ? undefined : c;
  }

  /** Messages received but not finished, over all partitions. */
  inFlight(): number {
    let n = 0;
    for (const p of this.partitions.values()) n += p.queue.length - p.head;
    return n;
  }

  /** Forget everything (new group generation): in-flight completions will be ignored. */
  reset(): void {
    this.partitions.clear();
  }
}
