// The spill buffer's on-disk log: records (one JSON value a line) appended to segment files in a
// folder, read back in order from the oldest segment, trimmed as they are acknowledged, and
// recovered from the segments of processes that died. It knows nothing of Kafka or of events;
// spill.buffer.ts decides when to spill, what fits the budget and what a loss means.
//
// Files, all in `dir`:
//   spill-<pid>-<ms>-<n>.ndjson          a segment written by process <pid> (n counts its segments)
//   spill-<pid>-<ms>-a<n>.ndjson         a segment <pid> adopted from a dead process
//   <segment>.offset                     bytes of the segment already acknowledged (absent: none)
// A process appends only to its own newest segment; a fully acknowledged segment is removed with
// its offset file. A crash can cut the last line short: it is counted as corrupt when read.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const SEGMENT_RE = /^spill-(\d+)-(\d+)-a?\d+\.ndjson$/;
/** Most bytes read at once; also the unwritten bytes that force a write before the timer. */
export const READ_CHUNK = 1 << 20;
/** Appends wait this long at most and go out in one write, so spilling costs a call nothing measurable. */
const WRITE_DELAY_MS = 20;

interface Segment {
  path: string;
  /** Bytes written so far. */
  size: number;
  /** Bytes already acknowledged (persisted in `<path>.offset`). */
  readOffset: number;
}

/** Where a read ended: trimming to it acknowledges everything read up to there. */
export interface ReadMark {
  readonly segment: Segment;
  readonly offset: number;
}

export interface ReadResult<T> {
  records: T[];
  /** Lines that were not JSON (cut by a crash mid-write) or too long to be a record: lost. */
  corrupt: number;
  /** Where this read ended; null when nothing can be read now (the oldest segment has nothing written past its offset). */
  mark: ReadMark | null;
}

export interface SegmentStoreOptions {
  dir: string;
  /** After each write of appended records; `lost` when the write failed and those records are gone. */
  onWrite?: (lost: { records: number; err: unknown } | null) => void;
}

/** Lines (records) of a file after `offset`. */
function countLines(path: string, offset: number): number {
  const buf = readFileSync(path).subarray(offset);
  let n = 0;
  for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class SegmentStore<T> {
  private readonly opts: SegmentStoreOptions;
  private segments: Segment[] = [];
  /** The segment this process appends to: always the last one, created on first write. */
  private own: Segment | null = null;
  private unwritten: string[] = [];
  private unwrittenBytes = 0;
  private writeTimer: NodeJS.Timeout | null = null;
  private segmentCounter = 0;
  private pending = 0;

  constructor(opts: SegmentStoreOptions) {
    this.opts = opts;
  }

  /** Records appended (written or waiting to be) and not yet trimmed or lost. */
  get records(): number {
    return this.pending;
  }

  /** Bytes not yet acknowledged: unread parts of the segments plus appends not written yet. */
  bytes(): number {
    return this.segments.reduce((n, s) => n + s.size - s.readOffset, 0) + this.unwrittenBytes;
  }

  /** Nothing left: no segment and nothing waiting to be written. */
  isEmpty(): boolean {
    return this.segments.length === 0 && this.unwritten.length === 0;
  }

  /**
   * Creates the folder and takes over the segments of dead processes (renamed to this process,
   * atomically, so of two processes recovering at once one wins each file), oldest first, with
   * their acknowledged offsets. Returns the records found unacknowledged in them.
   */
  recover(): { segments: number; records: number } {
    mkdirSync(this.opts.dir, { recursive: true });
    const orphans = readdirSync(this.opts.dir)
      .map((name) => ({ name, m: SEGMENT_RE.exec(name) }))
      .filter((x) => x.m && Number(x.m[1]) !== process.pid && !alive(Number(x.m[1])))
      .sort((a, b) => Number(a.m![2]) - Number(b.m![2]) || a.name.localeCompare(b.name));
    let segments = 0;
    let records = 0;
    for (const { name } of orphans) {
      const from = join(this.opts.dir, name);
      const to = join(this.opts.dir, `spill-${process.pid}-${Date.now()}-a${this.segmentCounter++}.ndjson`);
      try {
        renameSync(from, to);
      } catch {
        continue;
      }
      let readOffset = 0;
      if (existsSync(`${from}.offset`)) {
        readOffset = Number(readFileSync(`${from}.offset`, 'utf8')) || 0;
        renameSync(`${from}.offset`, `${to}.offset`);
      }
      const n = countLines(to, readOffset);
      this.segments.push({ path: to, size: statSync(to).size, readOffset });
      this.pending += n;
      records += n;
      segments++;
    }
    return { segments, records };
  }

  /**
   * Appends records behind everything already in the store. Each record's line is offered to
   * `fits` (its size in bytes) first, and left out if it does not fit. Writes are grouped: they
   * reach the file within a few milliseconds, at once when a read chunk's worth is waiting, or
   * on `write()`. Returns how many records were appended.
   */
  append(records: readonly T[], fits: (bytes: number) => boolean): number {
    let appended = 0;
    for (const r of records) {
      const line = `${JSON.stringify(r)}\n`;
      const bytes = Buffer.byteLength(line);
      if (!fits(bytes)) continue;
      this.unwritten.push(line);
      this.unwrittenBytes += bytes;
      appended++;
    }
    this.pending += appended;
    if (this.unwrittenBytes > READ_CHUNK) this.write();
    else if (this.unwritten.length) this.writeTimer ??= setTimeout(() => this.write(), WRITE_DELAY_MS);
    return appended;
  }

  /** Writes the appended records to this process's segment now. A failed write loses them (reported to `onWrite`). */
  write(): void {
    if (this.writeTimer) clearTimeout(this.writeTimer);
    this.writeTimer = null;
    if (!this.unwritten.length) return;
    const seg = this.ownSegment();
    const data = Buffer.from(this.unwritten.join(''));
    const records = this.unwritten.length;
    this.unwritten = [];
    this.unwrittenBytes = 0;
    let lost: { records: number; err: unknown } | null = null;
    try {
      const fd = openSync(seg.path, 'a');
      try {
        writeSync(fd, data);
      } finally {
        closeSync(fd);
      }
      seg.size += data.length;
    } catch (err) {
      this.pending -= records;
      lost = { records, err };
    }
    this.opts.onWrite?.(lost);
  }

  /**
   * Reads up to `max` records from the oldest segment, from where the last acknowledgement left
   * it (not from where the last read ended: until trimmed, a read returns the same records again).
   * Appends not yet written are written first when the oldest segment has nothing more to read.
   * Undefined when the store is empty.
   */
  read(max: number): ReadResult<T> | undefined {
    if (!this.segments.length) this.write();
    const head = this.segments[0];
    if (!head) return undefined;
    if (head === this.own && head.readOffset >= head.size) this.write();
    const length = Math.min(READ_CHUNK, head.size - head.readOffset);
    if (length <= 0) return { records: [], corrupt: 0, mark: null };
    const buf = Buffer.alloc(length);
    const fd = openSync(head.path, 'r');
    try {
      readSync(fd, buf, 0, length, head.readOffset);
    } finally {
      closeSync(fd);
    }
    const records: T[] = [];
    let corrupt = 0;
    let pos = 0;
    while (records.length < max) {
      const nl = buf.indexOf(10, pos);
      if (nl < 0) break;
      const line = buf.subarray(pos, nl).toString();
      pos = nl + 1;
      try {
        records.push(JSON.parse(line) as T);
      } catch {
        // A line cut short by a crash mid-write: nothing to recover.
        corrupt++;
      }
    }
    this.pending -= corrupt;
    if (pos === 0) {
      // One line longer than the read chunk cannot be a valid record: the rest of the segment is
      // skipped (every line of it lost), and trimming to this mark removes it.
      const skipped = Math.max(1, countLines(head.path, head.readOffset));
      this.pending -= skipped;
      return { records, corrupt: skipped, mark: { segment: head, offset: head.size } };
    }
    return { records, corrupt, mark: { segment: head, offset: head.readOffset + pos } };
  }

  /**
   * Acknowledges a read: its `records` records are gone from the store. A segment read to its end
   * is removed (this process's own only once nothing waits to be written to it); otherwise the
   * offset is persisted so that a process recovering the segment after a crash starts there.
   */
  trim(mark: ReadMark, records: number): void {
    this.pending -= records;
    const { segment, offset } = mark;
    segment.readOffset = offset;
    if (segment.readOffset >= segment.size && (segment !== this.own || this.unwritten.length === 0)) {
      rmSync(segment.path, { force: true });
      rmSync(`${segment.path}.offset`, { force: true });
      this.segments = this.segments.filter((s) => s !== segment);
    } else writeFileSync(`${segment.path}.offset`, String(offset));
  }

  private ownSegment(): Segment {
    if (this.own && this.segments.includes(this.own)) return this.own;
    const path = join(this.opts.dir, `spill-${process.pid}-${Date.now()}-${this.segmentCounter++}.ndjson`);
    this.own = { path, size: 0, readOffset: 0 };
    this.segments.push(this.own);
    return this.own;
  }
}
