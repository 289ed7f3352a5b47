// Tracks, per partition, which received offsets are finished (inserted into ClickHouse or parked in
// the dead-letter topic) and yields the offset that is safe to commit: one past the end of the
// contiguous run of finished offsets from the start. A later batch that finishes first never lets
// the commit jump over an earlier one still in flight.
//
// Offsets arrive in increasing order within a partition. When the consumer group rebalances, or an
// offset arrives that is not greater than the last one seen (a rewind), the partition starts a new
// epoch: completions from the old epoch are ignored, because the new owner re-reads those messages.

export interface Ticket {
  partition: number;
  offset: number;
  epoch: number;
}

interface PartitionState {
  epoch: number;
  queue: number[];
  head: number;
  done: Set<number>;
  lastSeen: number;
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
      p = { epoch: ++this.epochCounter, queue: [], head: 0, done: new Set(), lastSeen: -1, committable: -1, committed: -1 };
      this.partitions.set(partition, p);
    }
    p.queue.push(offset);
    p.lastSeen = offset;
    return { partition, offset, epoch: p.epoch };
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
