// The engine comparison against this checkout itself: both sides run the same events and raise the
// same matches, every round gives a ratio, and the report says which side is which.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareEngines } from './detector.engine.compare.ts';

describe('bench:detector:compare', () => {
  it('runs both sides over the same events, round by round', async () => {
    const here = resolve(import.meta.dirname, '..');
    const r = await compareEngines({ against: here, users: 300, events: 4_000, rounds: 2 });
    expect(r.against).toBe(here);
    expect(r.a_matches).toBe(r.b_matches);
    expect(r.a_matches).toBeGreaterThan(0);
    expect(r.ratios).toHaveLength(2);
    expect(r.a_events_per_cpu_s.every((x) => x > 0) && r.b_events_per_cpu_s.every((x) => x > 0)).toBe(true);
    expect(r.median_ratio).toBeGreaterThan(0);
  }, 60_000);
});
