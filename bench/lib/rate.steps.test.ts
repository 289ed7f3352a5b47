import { describe, expect, it } from 'vitest';
import { judgeStep, latencyRising, parseSteps, type LatencySample } from './rate.steps.ts';

const steady = (n: number, stepMs: number, ms: (i: number) => number): LatencySample[] =>
  Array.from({ length: n }, (_, i) => ({ atMs: (i / n) * stepMs, ms: ms(i) }));

describe('latencyRising', () => {
  it('sees a backlog growing through the step', () => {
    expect(latencyRising(steady(90, 30_000, (i) => 20 + i * 20), 30_000).rising).toBe(true);
  });

  it('ignores small changes in absolute terms', () => {
    expect(latencyRising(steady(90, 30_000, (i) => (i < 45 ? 5 : 14)), 30_000).rising).toBe(false);
  });
});

describe('judgeStep', () => {
  it('sustains a step with the rate achieved, p99 within the bound and flat latency', () => {
    const v = judgeStep({ offered: 2000, achieved: 1990, samples: steady(100, 30_000, (i) => 10 + (i % 10)), stepMs: 30_000, p99BoundMs: 250 });
    expect(v.sustained).toBe(true);
    expect(v.reasons).toEqual([]);
  });

  it('fails a step whose producer fell short, whose p99 is over the bound or that has no alerts', () => {
    const slow = judgeStep({ offered: 5000, achieved: 4613, samples: steady(100, 30_000, () => 300), stepMs: 30_000, p99BoundMs: 250 });
    expect(slow.sustained).toBe(false);
    expect(slow.reasons.join('; ')).toMatch(/achieved 4613 ev\/s < 95 % of 5000; p99 300 ms > 250 ms/);
    expect(judgeStep({ offered: 500, achieved: 500, samples: [], stepMs: 30_000, p99BoundMs: 250 }).reasons).toEqual(['only 0 alerts timed']);
  });
});

describe('parseSteps', () => {
  it('sorts and dedupes', () => {
    expect(parseSteps('1000, 500,7_500,500')).toEqual([500, 1000, 7500]);
    expect(() => parseSteps('500,x')).toThrow(/--steps/);
  });
});
