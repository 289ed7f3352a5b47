import { describe, expect, it } from 'vitest';
import { median, pairedDifferences, quantile } from './stats.ts';

describe('stats', () => {
  it('takes quantiles of unsorted data without changing it', () => {
    const xs = [5, 1, 4, 2, 3];
    expect(median(xs)).toBe(3);
    expect(quantile(xs, 1)).toBe(5);
    expect(xs).toEqual([5, 1, 4, 2, 3]);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('pairs interleaved samples', () => {
    expect(pairedDifferences([1, 2, 10], [1.5, 2.5, 10.2]).map((x) => Math.round(x * 10) / 10)).toEqual([0.5, 0.5, 0.2]);
    expect(() => pairedDifferences([1], [1, 2])).toThrow(/differ in length/);
  });
});
