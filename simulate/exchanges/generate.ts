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
import { coveragePlan, userDays } from './benign.ts';
import type { Exchange } from './exchange.schema.ts';
import { makePopulation } from './population.ts';

export interface GenerateOptions {
  seed?: number;
  users?: number;
  /** The evaluated working day (each user's local date), YYYY-MM-DD; a Tuesday by default. */
  date?: string;
  historyDays?: number;
}

export interface Labels {
  seed: number;
  eval_date: string;
  history_days: number;
  /** Exchanges at or after this instant are in the day file (so both files are in time order). */
  day_starts_at: string;
  counts: {
    users: number;
    runs_history: number;
    runs_day: number;
    exchanges_history: number;
    exchanges_day: number;
    exchanges_day_benign: number;
    attacks: number;
    attacks_by_class: Record<string, number>;
    attacks_unrevealable: number;
  };
  users: { user_id: string; tenant_id: string; role: string; attacked: boolean }[];
  attacks: AttackLabel[];
}

export interface Generated {
  history: Exchange[];
  day: Exchange[];
  labels: Labels;
}

const byTime = (a: Exchange, b: Exchange) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.request.id < b.request.id ? -1 : 1);
const traces = (xs: readonly Exchange[]) => new Set(xs.map((x) => x.request.params._meta.traceparent.slice(3, 35))).size;

export function generate(opts: GenerateOptions = {}): Generated {
  const seed = opts.seed ?? 1;
  const date = opts.date ?? '2026-11-24';
  const historyDays = opts.historyDays ?? 14;
  const rng = createRng(seed);
  const users = makePopulation(rng.fork('population'), opts.users ?? 200);
  const forced = coveragePlan(rng.fork('coverage'), users);
  const evalDay = Date.parse(`${date}T00:00:00Z`);
  const all: Exchange[] = [];
  const evalRuns = new Map<string, { start: number; end: number }[]>();
  for (const u of users) {
    for (const d of userDays(rng.fork(`user:${u.key}`), u, evalDay, historyDays, forced.get(u.key) ?? [])) {
      for (const r of d.runs) all.push(...r.exchanges);
      if (d.dayIndex === historyDays) evalRuns.set(u.key, d.runs);
    }
  }
  const cutoff = Math.min(...[...evalRuns.values()].flat().map((r) => r.start));
  const attacks = generateAttacks(rng.fork('attacks'), users, evalRuns);
  const dayStart = new Date(cutoff).toISOString();
  const history = all.filter((x) => x.ts < dayStart).sort(byTime);
  const benignDay = all.filter((x) => x.ts >= dayStart);
  const day = [...benignDay, ...attacks.exchanges].sort(byTime);
  const attacked = new Set(attacks.labels.map((l) => l.user_id));
  const byClass: Record<string, number> = {};
  for (const l of attacks.labels) byClass[l.class] = (byClass[l.class] ?? 0) + 1;
  return {
    history,
    day,
    labels: {
      seed,
      eval_date: date,
      history_days: historyDays,
      day_starts_at: dayStart,
      counts: {
        users: users.length,
        runs_history: traces(history),
        runs_day: traces(day),
        exchanges_history: history.length,
        exchanges_day: day.length,
        exchanges_day_benign: benignDay.length,
        attacks: attacks.labels.length,
        attacks_by_class: byClass,
        attacks_unrevealable: attacks.labels.filter((l) => !l.revealable).length,
      },
      users: users.map((u) => ({ user_id: u.user_id, tenant_id: u.tenant.id, role: u.role, attacked: attacked.has(u.user_id) })),
      attacks: attacks.labels,
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
