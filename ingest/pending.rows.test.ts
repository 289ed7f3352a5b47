import { describe, expect, it } from 'vitest';
import { PendingRows } from './pending.rows.ts';

const ticket = (offset: number, partition = 0, epoch = 1, redelivered = false) => ({ partition, offset, epoch, redelivered });

describe('PendingRows', () => {
  it('gives back rows, tickets and messages as they were added, across growth of the ring', () => {
    const pending = new PendingRows(2, 4);
    const slab = Buffer.from('line-0\nline-1\nline-2\nline-3\nline-4\nline-5\nline-6\nline-7\nline-8\nline-9\n');
    const response = Buffer.from('{"k":0}{"k":1}{"k":2}{"k":3}{"k":4}{"k":5}{"k":6}{"k":7}{"k":8}{"k":9}');
    const numbers: number[] = [];
    for (let i = 0; i < 10; i++) {
      const line = slab.subarray(i * 7, i * 7 + 7);
      const value = response.subarray(i * 7, i * 7 + 7);
      const key = i % 3 === 0 ? null : Buffer.from(`key-${i}`);
      numbers.push(pending.add([line, { row: i }], ticket(100 + i, i % 2, 3, i === 4), { key, value, offset: String(100 + i) }));
    }
    expect(pending.size).toBe(10);
    for (const [i, n] of numbers.entries()) {
      expect((pending.row(n, 0) as Buffer).toString()).toBe(`line-${i}\n`);
      expect(pending.row(n, 1)).toEqual({ row: i });
      expect(pending.ticket(n)).toEqual(ticket(100 + i, i % 2, 3, i === 4));
      const m = pending.message(n);
      expect(m.value!.toString()).toBe(`{"k":${i}}`);
      expect(m.key === null ? null : m.key.toString()).toBe(i % 3 === 0 ? null : `key-${i}`);
      expect(m.offset).toBe(String(100 + i));
    }
  });

  it('forgets released messages oldest first and reuses their slots', () => {
    const pending = new PendingRows(1, 4);
    const add = (i: number) => pending.add([`row ${i}`], ticket(i), { key: null, value: Buffer.from(`v${i}`), offset: String(i) });
    const first = [0, 1, 2].map(add);
    pending.releaseThrough(first[1]!);
    expect(pending.size).toBe(1);
    expect(() => pending.row(first[0]!, 0)).toThrow(/not held/);
    // Three more fit in the four slots without growing; the oldest held is still right.
    const more = [3, 4, 5].map(add);
    expect(pending.row(first[2]!, 0)).toBe('row 2');
    expect(more.map((n) => pending.row(n, 0))).toEqual(['row 3', 'row 4', 'row 5']);
    // A fifth held message grows the ring; numbers keep pointing at their own messages.
    const last = [6, 7, 8].map(add);
    expect([first[2]!, ...more, ...last].map((n) => pending.message(n).value!.toString())).toEqual(['v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8']);
    pending.releaseThrough(last[2]!);
    expect(pending.size).toBe(0);
  });

  it('keeps a Buffer as a view of the same memory, not a copy', () => {
    const pending = new PendingRows(1);
    const slab = Buffer.from('abcdef');
    const n = pending.add([slab.subarray(2, 4)], ticket(0), { key: null, value: null, offset: '0' });
    slab[2] = 'X'.charCodeAt(0);
    expect((pending.row(n, 0) as Buffer).toString()).toBe('Xd');
    expect(pending.message(n).value).toBeNull();
  });
});
