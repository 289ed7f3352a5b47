// The engine bench's generated stream: what its two arrival models promise (the figures rest on it).
import { describe, expect, it } from 'vitest';
import { eventChunks, generateEvents, runEngineBench, type Arrival } from './detector.engine.bench.ts';
import { DEFAULT_RULES_DIR, loadRulesOrThrow } from '../detector/rules/rules.load.ts';

const USERS = 5_000;

/** Users of 50,000 generated calls, and the median number of events between two calls of one user. */
function arrivals(arrival: Arrival): { users: number; medianGap: number } {
  const ids = generateEvents(USERS, 50_000, 7, arrival).map((e) => e.actor.user_id);
  const gaps: number[] = [];
  const last = new Map<string, number>();
  ids.forEach((u, i) => {
    const before = last.get(u);
    if (before !== undefined) gaps.push(i - before);
    last.set(u, i);
  });
  gaps.sort((a, b) => a - b);
  return { users: last.size, medianGap: gaps[gaps.length >> 1]! };
}

describe('engine bench events', () => {
  it('gives the same events in chunks as in one array, in time order', () => {
    const whole = generateEvents(300, 5_000, 7);
    const chunked = [...eventChunks(300, 5_000, 7, 'runs', 700)];
    expect(chunked.map((c) => c.length)).toEqual([700, 700, 700, 700, 700, 700, 700, 100]);
    expect(chunked.flat().map((e) => e.event_id)).toEqual(whole.map((e) => e.event_id));
    const ts = whole.map((e) => Date.parse(e.ts));
    expect(ts.every((t, i) => i === 0 || t > ts[i - 1]!)).toBe(true);
  });

  it('with agent runs, every user gets a run and the calls of a run come close together', () => {
    // ~1,000 runs in flight: a user's next call comes about 700 events later (median), where a
    // random user would wait about USERS x ln 2 = 3,466.
    const { users, medianGap } = arrivals('runs');
    expect(users).toBe(USERS);
    expect(medianGap).toBeLessThan(USERS / 4);
  });

  it('with uniform arrival, calls come from users drawn at random', () => {
    expect(arrivals('uniform').medianGap).toBeGreaterThan(USERS / 2);
  });
});

describe('engine bench --rule-times', () => {
  it('names every enabled rule of the pack with its time, within the engine\'s', async () => {
    const r = await runEngineBench({ users: 300, events: 3_000, repeat: 1, ruleTimes: true });
    const times = r.rule_times!;
    const enabled = loadRulesOrThrow([DEFAULT_RULES_DIR]).filter((x) => x.rule.enabled).map((x) => x.rule.id);
    expect(Object.keys(times.rules_us_per_event).sort()).toEqual([...enabled].sort());
    const inRules = Object.values(times.rules_us_per_event).reduce((a, b) => a + b, 0);
    expect(inRules).toBeGreaterThan(0);
    expect(inRules).toBeLessThanOrEqual(times.engine_us_per_event);
  });
});
