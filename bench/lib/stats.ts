// The few statistics the benches report: quantiles (simple-statistics, as before), the median of
// per-round figures, and paired differences of interleaved samples.
import { quantileSorted } from 'simple-statistics';

/** The q-quantile of unsorted numbers (copied and sorted); NaN when there are none. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  return quantileSorted([...xs].sort((a, b) => a - b), q);
}

export const median = (xs: readonly number[]): number => quantile(xs, 0.5);

/**
 * b[i] − a[i] for each pair i of two interleaved series: what B adds over A measured under the same
 * moment's machine state (a stall that hits one pair shows in that pair only, once).
 */
export function pairedDifferences(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) throw new Error(`paired series differ in length: ${a.length} and ${b.length}`);
  return a.map((x, i) => b[i]! - x);
}

export const roundTo = (x: number, digits = 3): number => (Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : x);
