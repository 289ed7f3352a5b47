// Robust summaries of one metric's samples with simple-statistics: median and MAD, so a few wild
// hours do not move the baseline, and the 95th percentile for display and floors.
import { medianAbsoluteDeviation, quantileSorted } from 'simple-statistics';
import type { MetricBaseline } from './baseline.types.ts';

/** A metric with no samples: every rule requiring `samples >= n` stays silent on it. */
export const NO_SAMPLES: MetricBaseline = Object.freeze({ samples: 0, median: 0, mad: 0, p95: 0 });

export function summarize(values: readonly number[]): MetricBaseline {
  if (values.length === 0) return NO_SAMPLES;
  const sorted = [...values].sort((a, b) => a - b);
  return {
    samples: values.length,
    median: quantileSorted(sorted, 0.5),
    mad: medianAbsoluteDeviation(sorted),
    p95: quantileSorted(sorted, 0.95),
  };
}

const HOUR_S = 3600;
const WEEK_HOURS = 168;

/** Hour of the week of an epoch second, 0 = Monday 00:00-01:00 UTC (1970-01-01 was a Thursday, hour 72). */
export function hourOfWeekIndex(epochSec: number): number {
  return (Math.floor(epochSec / HOUR_S) + 72) % WEEK_HOURS;
}

/**
 * Hour-of-week profile from the active hours (epoch seconds, each a distinct hour): entry i counts
 * the weeks in which hour-of-week i saw activity. A distinct hour is one week's instance of its
 * hour-of-week, so counting active hours per index counts weeks.
 */
export function hourOfWeekProfile(activeHours: Iterable<number>): number[] {
  const profile = new Array<number>(WEEK_HOURS).fill(0);
  for (const h of activeHours) profile[hourOfWeekIndex(h)]!++;
  return profile;
}
