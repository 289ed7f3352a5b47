// Recorded MCP exchanges for the detector evaluation: a benign population's 14 days of history and
// one evaluated working day, with our own attacks inserted into that day, and labels for them.
//
//   node simulate/exchanges/generate.ts --users 200 --out DIR [--seed 1] [--date 2026-11-24]
//
// writes DIR/history.ndjson.gz, DIR/day.ndjson.gz and DIR/labels.json, for `mcp-audit capture import`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';
import { createRng } from '../rng.ts';
import { generateAttacks, type AttackLabel } from './attacks.ts';
import { coveragePlan, userDays, type BenignRun } from './benign.ts';
import type { Exchange } from './exchange.schema.ts';
import { makePopulation, type PopUser } from './population.ts';

export interface GenerateOptions {
  seed?: number;
  users?: number;
  /** The evaluated working day (each user's local date), YYYY-MM-DD; a Tuesday by default. */
  date?: string;
  historyDays?: number;
}

/** One benign agent run of the day file, so per-run false-positive rates and their routines can be read off. */
export interface BenignRunLabel {
  /** The run's label id (`u017.d14.r03`); its exchange ids are `<trace_id>#<n>`. */
  trace_id: string;
  attack: false;
  w3c_trace_id: string;
  tenant_id: string;
  user_id: string;
  role: string;
  routine: string;
  /** Messy patterns the routine exercises (a run may exercise them only in some variants). */
  patterns: string[];
  start: string;
  exchanges: number;
}

export interface Labels {
  seed: number;
  eval_date: string;
  history_days: number;
  /** Runs that start at or after this instant are in the day file; no run spans it. */
  day_starts_at: string;
  counts: {
    users: number;
    runs_history: number;
    runs_day_benign: number;
    exchanges_history: number;
    exchanges_day: number;
    exchanges_day_benign: number;
    attacks: number;
    attacks_by_class: Record<string, number>;
    attacks_unrevealable: number;
  };
  users: { user_id: string; tenant_id: string; role: string; attacked: boolean }[];
  /** One label per benign run of the day file, then one per attack (the harness's TraceLabel shape). */
  traces: (BenignRunLabel | AttackLabel)[];
}

export const attackLabels = (l: Labels): AttackLabel[] => l.traces.filter((t): t is AttackLabel => t.attack);
export const benignLabels = (l: Labels): BenignRunLabel[] => l.traces.filter((t): t is BenignRunLabel => !t.attack);

export interface Generated {
  history: Exchange[];
  day: Exchange[];
  labels: Labels;
}

const byTime = (a: Exchange, b: Exchange) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.request.id < b.request.id ? -1 : 1);

/**
 * The split between history and day: the first evaluated-day run start, moved earlier while some
 * run spans it, so each run lies wholly in one file and both files are in time order. (Users in
 * western time zones have their previous evening end after eastern users start the evaluated day.)
 */
export function splitPoint(runs: readonly BenignRun[], firstEvalStart: number): number {
  let t = firstEvalStart;
  for (let moved = true; moved; ) {
    moved = false;
    for (const r of runs) {
      if (r.start < t && r.end > t) {
        t = r.start;
        moved = true;
      }
    }
  }
  return t;
}

export function generate(opts: GenerateOptions = {}): Generated {
  const seed = opts.seed ?? 1;
  const date = opts.date ?? '2026-11-24';
  const historyDays = opts.historyDays ?? 14;
  const rng = createRng(seed);
  const users = makePopulation(rng.fork('population'), opts.users ?? 200);
  const forced = coveragePlan(rng.fork('coverage'), users);
  const evalDay = Date.parse(`${date}T00:00:00Z`);
  const runs: { user: PopUser; run: BenignRun }[] = [];
  const evalRuns = new Map<string, BenignRun[]>();
  for (const u of users) {
    for (const d of userDays(rng.fork(`user:${u.key}`), u, evalDay, historyDays, forced.get(u.key) ?? [])) {
      for (const run of d.runs) runs.push({ user: u, run });
      if (d.dayIndex === historyDays) evalRuns.set(u.key, d.runs);
    }
  }
  const cutoff = splitPoint(runs.map((r) => r.run), Math.min(...[...evalRuns.values()].flat().map((r) => r.start)));
  const attacks = generateAttacks(rng.fork('attacks'), users, evalRuns);
  const historyRuns = runs.filter((r) => r.run.start < cutoff);
  const dayRuns = runs.filter((r) => r.run.start >= cutoff);
  const history = historyRuns.flatMap((r) => r.run.exchanges).sort(byTime);
  const benignDay = dayRuns.flatMap((r) => r.run.exchanges);
  const day = [...benignDay, ...attacks.exchanges].sort(byTime);
  const attacked = new Set(attacks.labels.map((l) => l.user_id));
  const byClass: Record<string, number> = {};
  for (const l of attacks.labels) byClass[l.attack_class] = (byClass[l.attack_class] ?? 0) + 1;
  return {
    history,
    day,
    labels: {
      seed,
      eval_date: date,
      history_days: historyDays,
      day_starts_at: new Date(cutoff).toISOString(),
      counts: {
        users: users.length,
        runs_history: historyRuns.length,
        runs_day_benign: dayRuns.length,
        exchanges_history: history.length,
        exchanges_day: day.length,
        exchanges_day_benign: benignDay.length,
        attacks: attacks.labels.length,
        attacks_by_class: byClass,
        attacks_unrevealable: attacks.labels.filter((l) => !l.revealable).length,
      },
      users: users.map((u) => ({ user_id: u.user_id, tenant_id: u.tenant.id, role: u.role, attacked: attacked.has(u.user_id) })),
      traces: [
        ...dayRuns
          .sort((a, b) => a.run.start - b.run.start)
          .map(({ user, run }): BenignRunLabel => ({
            trace_id: run.id,
            attack: false,
            w3c_trace_id: run.exchanges[0]!.request.params._meta.traceparent.slice(3, 35),
            tenant_id: user.tenant.id,
          user_id: user.user_id,
          role: user.role,
          routine: run.routine.name,
          patterns: [...(run.routine.patterns ?? [])],
          start: run.exchanges[0]!.ts,
            exchanges: run.exchanges.length,
          })),
        ...attacks.labels,
      ],
    },
  };
}

async function writeNdjsonGz(path: string, xs: readonly Exchange[]): Promise<void> {
  await pipeline(Readable.from((function* () { for (const x of xs) yield `${JSON.stringify(x)}\n`; })()), createGzip(), createWriteStream(path));
}

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { users: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string' }, date: { type: 'string' } } });
  if (!values.out) throw new Error('usage: node simulate/exchanges/generate.ts --users 200 --out DIR [--seed 1] [--date YYYY-MM-DD]');
  const g = generate({ users: Number(values.users ?? 200), seed: Number(values.seed ?? 1), ...(values.date ? { date: values.date } : {}) });
  mkdirSync(values.out, { recursive: true });
  await writeNdjsonGz(join(values.out, 'history.ndjson.gz'), g.history);
  await writeNdjsonGz(join(values.out, 'day.ndjson.gz'), g.day);
  writeFileSync(join(values.out, 'labels.json'), `${JSON.stringify(g.labels, null, 2)}\n`);
  process.stderr.write(`${JSON.stringify(g.labels.counts)}\n`);
}

if (import.meta.main) await main(process.argv.slice(2));
