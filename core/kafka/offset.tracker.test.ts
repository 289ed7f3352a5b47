import { describe, expect, it } from 'vitest';
import { OffsetTracker } from './offset.tracker.ts';

describe('OffsetTracker', () => {
  it('commits only the contiguous run of finished offsets', () => {
    const t = new OffsetTracker();
    const a = [10, 11, 12, 13].map((o) => t.receive(0, o));
    t.finish(a[1]!);
    t.finish(a[2]!);
    expect(t.committable()).toEqual([]);
    t.finish(a[0]!);
    expect(t.committable()).toEqual([{ partition: 0, offset: '13' }]);
    expect(t.inFlight()).toBe(1);
  });

  it('keeps partitions apart and does not repeat a confirmed commit', () => {
    const t = new OffsetTracker();
    const p0 = t.receive(0, 5);
    const p1 = t.receive(1, 7);
    t.finish(p1);
    expect(t.committable()).toEqual([{ partition: 1, offset: '8' }]);
    t.committed([{ partition: 1, offset: '8' }]);
    expect(t.committable()).toEqual([]);
    t.finish(p0);
    expect(t.committable()).toEqual([{ partition: 0, offset: '6' }]);
  });

  it('offers a commit again when the previous attempt was not confirmed', () => {
    const t = new OffsetTracker();
    t.finish(t.receive(2, 0));
    expect(t.committable()).toEqual([{ partition: 2, offset: '1' }]);
    expect(t.committable()).toEqual([{ partition: 2, offset: '1' }]);
  });

  it('ignores completions from before a rewind or a reset', () => {
    const t = new OffsetTracker();
    const old = t.receive(0, 100);
    const rewound = t.receive(0, 50);
    t.finish(old);
    expect(t.committable()).toEqual([]);
    t.finish(rewound);
    expect(t.committable()).toEqual([{ partition: 0, offset: '51' }]);

    const beforeReset = t.receive(3, 1);
    t.reset();
    t.finish(beforeReset);
    expect(t.committable()).toEqual([]);
  });

  it('handles gaps in offsets (compaction, transaction markers)', () => {
    const t = new OffsetTracker();
    const xs = [1, 4, 9].map((o) => t.receive(0, o));
    xs.forEach((x) => t.finish(x));
    expect(t.committable()).toEqual([{ partition: 0, offset: '10' }]);
  });

  it('stays bounded over a long run', () => {
    const t = new OffsetTracker();
    for (let o = 0; o < 100_000; o++) t.finish(t.receive(0, o));
    expect(t.inFlight()).toBe(0);
    expect(t.committable()).toEqual([{ partition: 0, offset: '100000' }]);
  });

  it('marks messages received again without a reset as redelivered, and only those', () => {
    const t = new OffsetTracker();
    expect([5, 6, 7].map((o) => t.receive(0, o).redelivered)).toEqual([false, false, false]);
    // A failed batch fetched again from offset 6: 6 and 7 are repeats, 8 is new.
    expect([6, 7, 8].map((o) => t.receive(0, o).redelivered)).toEqual([true, true, false]);
    expect(t.highestReceived(0)).toBe(8);
    // Another partition has its own history.
    expect(t.receive(1, 0).redelivered).toBe(false);
    // A group join (reset) starts a new assignment: reading from the committed offset is no repeat.
    t.reset();
    expect(t.receive(0, 5).redelivered).toBe(false);
  });
});
