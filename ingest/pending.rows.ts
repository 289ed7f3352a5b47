// The messages ingest has read and not yet stored, each with what it needs once its rows are stored
// (its offset ticket) or refused (its Kafka key and value, for the dead-letter topic). A pending
// message is a number, and what it holds is kept in columns: for a Buffer, only the memory it views
// and where, because the bytes already sit in the transcoder's slabs and the Kafka client's fetch
// responses.
//
// Why columns: up to three batches of rows wait here for up to a second or two, long enough to
// outlive two young-generation collections. Kept as objects (the item, its row array, the line's
// view, the ticket, the message and its key and value views: eight per message), they filled V8's
// old generation, which was collected about 22 times per million events (BENCHMARKS.md).
import type { InboundMessage, Ticket } from '../core/kafka/consumer.runtime.ts';

/** A row as a pipeline makes it: a JSONEachRow object, or a TabSeparated line as text or bytes. */
export type PendingRow = object | string | Buffer;

/**
 * One value per pending message, in a ring of `mask + 1` slots: a Buffer as the memory it views
 * (`ref`), its offset and length; anything else (an object, a string, null) as itself, length -1.
 */
class RefColumn {
  ref: unknown[];
  off: Int32Array;
  len: Int32Array;

  constructor(capacity: number) {
    this.ref = new Array<unknown>(capacity).fill(null);
    this.off = new Int32Array(capacity);
    this.len = new Int32Array(capacity);
  }

  set(slot: number, value: unknown): void {
    if (value instanceof Uint8Array) {
      this.ref[slot] = value.buffer;
      this.off[slot] = value.byteOffset;
      this.len[slot] = value.byteLength;
    } else {
      this.ref[slot] = value;
      this.len[slot] = -1;
    }
  }

  get(slot: number): unknown {
    const n = this.len[slot]!;
    return n < 0 ? this.ref[slot] : Buffer.from(this.ref[slot] as ArrayBuffer, this.off[slot], n);
  }

  /** Moves one slot's value into another column (the same value, another slot). */
  moveTo(to: RefColumn, from: number, slot: number): void {
    to.ref[slot] = this.ref[from];
    to.off[slot] = this.off[from]!;
    to.len[slot] = this.len[from]!;
  }
}

export class PendingRows {
  private readonly tables: number;
  private mask: number;
  /** The oldest pending message's number, and the next number to hand out. */
  private head = 0;
  private tail = 0;
  private partition!: Int32Array;
  private offset!: Float64Array;
  private epoch!: Int32Array;
  private redelivered!: Uint8Array;
  private key!: RefColumn;
  private value!: RefColumn;
  private rows!: RefColumn[];

  /** `tables`: rows per message (one per table of the pipeline); `capacity` grows when needed. */
  constructor(tables: number, capacity = 1024) {
    this.tables = tables;
    let size = 1;
    while (size < capacity) size *= 2;
    this.mask = size - 1;
    this.allocate(size);
  }

  /** Pending messages. */
  get size(): number {
    return this.tail - this.head;
  }

  /** Keeps a message and its rows (one per table); returns its number. */
  add(rows: readonly PendingRow[], ticket: Ticket, message: InboundMessage): number {
    if (this.tail - this.head > this.mask) this.grow();
    const n = this.tail++;
    const s = n & this.mask;
    this.partition[s] = ticket.partition;
    this.offset[s] = ticket.offset;
    this.epoch[s] = ticket.epoch;
    this.redelivered[s] = ticket.redelivered ? 1 : 0;
    this.key.set(s, message.key);
    this.value.set(s, message.value);
    for (let t = 0; t < this.tables; t++) this.rows[t]!.set(s, rows[t]);
    return n;
  }

  row(n: number, table: number): PendingRow {
    return this.rows[table]!.get(this.slot(n)) as PendingRow;
  }

  ticket(n: number): Ticket {
    const s = this.slot(n);
    return { partition: this.partition[s]!, offset: this.offset[s]!, epoch: this.epoch[s]!, redelivered: this.redelivered[s] === 1 };
  }

  message(n: number): InboundMessage {
    const s = this.slot(n);
    return { key: this.key.get(s) as Buffer | null, value: this.value.get(s) as Buffer | null, offset: String(this.offset[s]) };
  }

  /** Forgets every message up to and including `n`, oldest first (batches are stored in order). */
  releaseThrough(n: number): void {
    for (; this.head <= n && this.head < this.tail; this.head++) {
      const s = this.head & this.mask;
      // Let go of the memory the rows, key and value viewed.
      this.key.ref[s] = this.value.ref[s] = null;
      for (const column of this.rows) column.ref[s] = null;
    }
  }

  private slot(n: number): number {
    if (n < this.head || n >= this.tail) throw new Error(`pending message ${n} is not held (held: ${this.head} to ${this.tail - 1})`);
    return n & this.mask;
  }

  private allocate(size: number): void {
    this.partition = new Int32Array(size);
    this.offset = new Float64Array(size);
    this.epoch = new Int32Array(size);
    this.redelivered = new Uint8Array(size);
    this.key = new RefColumn(size);
    this.value = new RefColumn(size);
    this.rows = Array.from({ length: this.tables }, () => new RefColumn(size));
  }

  /** Doubles the ring; a message keeps its number, and its slot is that number under the new mask. */
  private grow(): void {
    const old = { mask: this.mask, partition: this.partition, offset: this.offset, epoch: this.epoch, redelivered: this.redelivered, key: this.key, value: this.value, rows: this.rows };
    this.allocate((this.mask + 1) * 2);
    this.mask = this.mask * 2 + 1;
    for (let n = this.head; n < this.tail; n++) {
      const from = n & old.mask;
      const s = n & this.mask;
      this.partition[s] = old.partition[from]!;
      this.offset[s] = old.offset[from]!;
      this.epoch[s] = old.epoch[from]!;
      this.redelivered[s] = old.redelivered[from]!;
      old.key.moveTo(this.key, from, s);
      old.value.moveTo(this.value, from, s);
      for (let t = 0; t < this.tables; t++) old.rows[t]!.moveTo(this.rows[t]!, from, s);
    }
  }
}
