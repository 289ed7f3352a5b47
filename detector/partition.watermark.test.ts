import { describe, expect, it } from 'vitest';
import { PartitionWatermark } from './partition.watermark.ts';

describe('PartitionWatermark', () => {
  it('is the minimum over active partitions, so a lagging partition is not taken for late', () => {
    const w = new PartitionWatermark(30_000);
    w.observe(0, 10_000_000, 0);
    w.observe(1, 8_680_000, 0); // 22 minutes behind
    expect(w.current(1_000)).toBe(8_680_000);
  });

  it('an idle partition stops holding it back', () => {
    const w = new PartitionWatermark(30_000);
    w.observe(0, 5_000, 0);
    w.observe(1, 9_000, 40_000);
    expect(w.current(40_000)).toBe(9_000);
  });

  it('forgets partitions it no longer owns', () => {
    const w = new PartitionWatermark(30_000);
    w.observe(0, 5_000, 0);
    w.observe(1, 9_000, 0);
    w.assign([1]);
    expect(w.current(0)).toBe(9_000);
    expect(new PartitionWatermark(1).current(0)).toBe(-Infinity);
  });
});
