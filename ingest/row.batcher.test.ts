// The batcher's time-based flush under light traffic: rows far below `maxRows` must still be
// flushed, also when the timer fires before the wall clock says `flushMs` passed (Node's timers and
// Date.now() are separate clocks, and a timer a millisecond early once stalled ingest for good).
import { describe, expect, it } from 'vitest';
import { RowBatcher } from './row.batcher.ts';

const waitFor = async (check: () => boolean, ms = 5_000) => {
  const until = Date.now() + ms;
  while (!check() && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
  return check();
};

describe('RowBatcher', () => {
  it('flushes a few rows after flushMs', async () => {
    const flushed: number[][] = [];
    const b = new RowBatcher<number>({ maxRows: 1000, flushMs: 30, maxPending: 10_000, onError: () => {} }, async (xs) => void flushed.push(xs));
    b.add(1);
    b.add(2);
    expect(await waitFor(() => flushed.length === 1)).toBe(true);
    expect(flushed[0]).toEqual([1, 2]);
    b.close();
  });

  it('still flushes when the timer fires before the wall clock reaches flushMs', async () => {
    // The wall clock falls 5 ms behind the timers' clock after the row arrived, so when the timer
    // fires the row looks 25 ms old, not 30: the timer looks early by the wall clock.
    let readings = 0;
    const now = () => Date.now() - (readings++ >= 2 ? 5 : 0);
    const flushed: number[][] = [];
    const b = new RowBatcher<number>({ maxRows: 1000, flushMs: 30, maxPending: 10_000, onError: () => {}, now }, async (xs) => void flushed.push(xs));
    b.add(1);
    expect(await waitFor(() => flushed.length === 1)).toBe(true);
    b.close();
  });

  it('flushes rows that arrive while a flush is running', async () => {
    const flushed: number[][] = [];
    let release: () => void = () => {};
    const b = new RowBatcher<number>({ maxRows: 1000, flushMs: 20, maxPending: 10_000, onError: () => {} }, async (xs) => {
      flushed.push(xs);
      if (flushed.length === 1) await new Promise<void>((r) => (release = r));
    });
    b.add(1);
    expect(await waitFor(() => flushed.length === 1)).toBe(true);
    b.add(2);
    await new Promise((r) => setTimeout(r, 60));
    release();
    expect(await waitFor(() => flushed.length === 2)).toBe(true);
    expect(flushed[1]).toEqual([2]);
    b.close();
  });
});
