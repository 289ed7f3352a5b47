import { describe, expect, it } from 'vitest';
import { heapAllocated } from './heap.allocated.ts';

/** Keeps a million small arrays alive, so collections run while they are made and none can be dropped. */
function makeArrays(): number[][] {
  const kept: number[][] = [];
  for (let i = 0; i < 1_000_000; i++) kept.push([i, i + 1, i + 2, i + 3]);
  return kept;
}

describe('heapAllocated', () => {
  it('counts what the work allocated, across the collections that ran meanwhile', () => {
    let kept: number[][] = [];
    const { bytes, collections } = heapAllocated(() => {
      kept = makeArrays();
    });
    expect(kept).toHaveLength(1_000_000);
    expect(collections).toBeGreaterThan(0);
    // Each array is a 16-byte header and a 4-element store of at least 48 bytes; the holder's own
    // store grows by copying on the way.
    expect(bytes).toBeGreaterThan(1_000_000 * 64);
    expect(bytes).toBeLessThan(1_000_000 * 400);
  });

  it('gives about the same figure for the same work twice', () => {
    const a = heapAllocated(() => void makeArrays()).bytes;
    const b = heapAllocated(() => void makeArrays()).bytes;
    expect(Math.abs(a - b) / a).toBeLessThan(0.1);
  });
});
