// Our own labelled set (simulate/exchanges/): a benign population doing messy routine developer,
// ops and office work for 14 days plus one evaluated day, with attacks of varied vendors and shapes
// on that day. Made in memory from a seed, so the numbers are reproducible without stored files.
import { generate } from '../../simulate/exchanges/generate.ts';
import type { LabelledSet } from './external.eval.ts';

export function routineSet(users = 200, seed = 1): LabelledSet {
  const g = generate({ users, seed });
  const lines = (xs: readonly unknown[]) => () => xs.map((x) => JSON.stringify(x));
  return {
    name: `routine-${users}`,
    history: [{ lines: lines(g.history) }],
    day: [{ lines: lines(g.day) }],
    labels: g.labels.traces,
    dayStartMs: Date.parse(g.labels.day_starts_at),
    lookbackDays: g.labels.history_days,
  };
}
