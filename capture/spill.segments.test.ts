// The spill buffer's segmented log on its own, on real files: append, read, trim, recovery of a
// dead process's segments, and what a crash or a failed write leaves behind. The delivery around
// it is capture/spill.buffer.test.ts.
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { READ_CHUNK, SegmentStore, type ReadResult } from './spill.segments.ts';

interface Rec {
  n: number;
}
const recs = (from: number, count: number): Rec[] => Array.from({ length: count }, (_, i) => ({ n: from + i }));
const always = () => true;
const tempDir = () => mkdtempSync(join(tmpdir(), 'segments-'));
/** Makes the segments in `dir` look like those of a process that has died. */
const orphan = (dir: string) => {
  for (const f of readdirSync(dir)) renameSync(join(dir, f), join(dir, f.replace(`spill-${process.pid}-`, 'spill-999999999-')));
};

/** Reads and trims until the store is empty; the records in order. */
function readAll(store: SegmentStore<Rec>, max = 7): number[] {
  const out: number[] = [];
  for (let r = store.read(max); r; r = store.read(max)) {
    expect(r.mark).not.toBeNull();
    out.push(...r.records.map((x) => x.n));
    store.trim(r.mark!, r.records.length);
  }
  return out;
}

describe('SegmentStore', () => {
  it('reads back what was appended, in order, and is empty once all of it is trimmed', () => {
    const dir = tempDir();
    const store = new SegmentStore<Rec>({ dir });
    expect(store.read(10)).toBeUndefined();
    expect(store.append(recs(0, 20), always)).toBe(20);
    expect(store.records).toBe(20);
    expect(store.bytes()).toBe(recs(0, 20).reduce((n, r) => n + JSON.stringify(r).length + 1, 0));
    expect(store.isEmpty()).toBe(false);
    // Reading writes what waits to be written; reading twice without trimming gives the same records.
    const first = store.read(7)!;
    expect(first.records.map((r) => r.n)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(store.read(7)!.records).toEqual(first.records);
    store.trim(first.mark!, 7);
    expect(store.records).toBe(13);
    store.append(recs(20, 5), always);
    expect(readAll(store)).toEqual(recs(7, 18).map((r) => r.n));
    expect(store.isEmpty()).toBe(true);
    expect(store.records).toBe(0);
    expect(store.bytes()).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('leaves out the records that do not fit and counts only those appended', () => {
    const store = new SegmentStore<Rec>({ dir: tempDir() });
    let budget = 30;
    const fits = (bytes: number) => (budget -= bytes) >= 0;
    expect(store.append(recs(0, 5), fits)).toBe(3); // {"n":0}\n is 8 bytes
    expect(store.records).toBe(3);
    expect(readAll(store)).toEqual([0, 1, 2]);
  });

  it('groups appends into one write a few milliseconds later, or at once on write()', async () => {
    const dir = tempDir();
    const writes: unknown[] = [];
    const store = new SegmentStore<Rec>({ dir, onWrite: (lost) => void writes.push(lost) });
    store.append(recs(0, 3), always);
    store.append(recs(3, 3), always);
    expect(readdirSync(dir)).toEqual([]);
    await new Promise((r) => setTimeout(r, 100));
    expect(writes).toEqual([null]);
    const [segment] = readdirSync(dir);
    expect(readFileSync(join(dir, segment!), 'utf8').trim().split('\n')).toHaveLength(6);
    store.append(recs(6, 1), always);
    store.write();
    expect(writes).toEqual([null, null]);
    expect(readFileSync(join(dir, segment!), 'utf8').trim().split('\n')).toHaveLength(7);
  });

  it('keeps the acknowledged offset on disk, and a later process recovers only what was not acknowledged', () => {
    const dir = tempDir();
    const first = new SegmentStore<Rec>({ dir });
    first.append(recs(0, 10), always);
    const read = first.read(4)!;
    first.trim(read.mark!, 4);
    const offsetFile = readdirSync(dir).find((f) => f.endsWith('.offset'))!;
    expect(Number(readFileSync(join(dir, offsetFile), 'utf8'))).toBe(read.mark!.offset);
    orphan(dir);

    const second = new SegmentStore<Rec>({ dir });
    expect(second.recover()).toEqual({ segments: 1, records: 6 });
    expect(second.records).toBe(6);
    expect(readdirSync(dir).every((f) => f.startsWith(`spill-${process.pid}-`))).toBe(true);
    second.append(recs(10, 2), always);
    expect(readAll(second)).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('recovers several dead segments oldest first, and leaves those of live processes alone', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'spill-999999998-2000-0.ndjson'), '{"n":3}\n');
    writeFileSync(join(dir, 'spill-999999999-1000-0.ndjson'), '{"n":1}\n{"n":2}\n');
    const live = `spill-${process.ppid}-500-0.ndjson`;
    writeFileSync(join(dir, live), '{"n":0}\n');
    writeFileSync(join(dir, 'rejected-1-1.ndjson'), '{}\n');
    const store = new SegmentStore<Rec>({ dir });
    expect(store.recover()).toEqual({ segments: 2, records: 3 });
    expect(readAll(store)).toEqual([1, 2, 3]);
    expect(readdirSync(dir).sort()).toEqual(['rejected-1-1.ndjson', live]);
  });

  it('counts a line cut short by a crash as corrupt and reads past it', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'spill-999999999-1000-0.ndjson'), '{"n":1}\n{"n":2}\n{"n":\n{"n":4}\n');
    const store = new SegmentStore<Rec>({ dir });
    expect(store.recover().records).toBe(4);
    const read = store.read(10)!;
    expect(read).toMatchObject({ records: [{ n: 1 }, { n: 2 }, { n: 4 }], corrupt: 1 } satisfies Partial<ReadResult<Rec>>);
    expect(store.records).toBe(3);
    store.trim(read.mark!, 3);
    expect(store.isEmpty()).toBe(true);
    expect(store.records).toBe(0);
  });

  it('skips the rest of a segment that starts with a line longer than a read chunk, counting its lines lost', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'spill-999999999-1000-0.ndjson'), `${'x'.repeat(READ_CHUNK + 10)}\n{"n":1}\n`);
    writeFileSync(join(dir, 'spill-999999999-2000-0.ndjson'), '{"n":2}\n');
    const store = new SegmentStore<Rec>({ dir });
    expect(store.recover().records).toBe(3);
    const read = store.read(10)!;
    expect(read.records).toEqual([]);
    expect(read.corrupt).toBe(2);
    store.trim(read.mark!, 0);
    expect(readAll(store)).toEqual([2]);
    expect(store.records).toBe(0);
  });

  it('reports the records a failed write lost and stops counting them', () => {
    const dir = tempDir();
    const lost: { records: number }[] = [];
    const store = new SegmentStore<Rec>({ dir, onWrite: (l) => void (l && lost.push(l)) });
    store.append(recs(0, 2), always);
    store.write();
    rmSync(dir, { recursive: true }); // the spill folder removed under a running process
    store.append(recs(2, 3), always);
    store.write();
    expect(lost).toMatchObject([{ records: 3 }]);
    expect(store.records).toBe(2);
  });
});
