// Two versions of the rule engine, timed in one process, pass after pass: this checkout's and the
// one in `--against DIR` (say a worktree of main). For judging a change to the engine on a shared
// machine: separate runs of `bench:detector:engine` moved by ±20 % from one minute to the next,
// which hides any change worth less than that, while passes alternating in one process see the same
// moment of the machine (the same engine on both sides: single rounds within ±10 %, medians of six
// within 2 % of 1; 2026-12-03, BENCHMARKS.md).
//
//   git worktree add /tmp/base main && ln -s "$PWD/node_modules" /tmp/base/node_modules
//   npm run bench:detector:compare -- --against /tmp/base [--users 30000] [--events 300000] [--rounds 6]
//
// Each pass runs the same generated events (this checkout's generator, made in chunks of 2,000 as
// the engine needs them, as part (a) does) through a fresh engine of one side; only
// `engine.process` is timed, in CPU time. Rounds run A, B then B, A (bench/lib/interleave.ts). The
// figure is the median of the per-round ratios B / A (this checkout over the other); the matches
// of both sides are printed too, because a change that alters them is not only about speed.
// Last stdout line: {"bench":"detector.engine.compare","median_ratio":…,"ratios":[…],…}
import { resolve } from 'node:path';
import { benchArgs } from './lib/bench.args.ts';
import { beginBench, numberOption, toStderr, type BenchFrame } from './lib/bench.run.ts';
import { runInterleaved } from './lib/interleave.ts';
import { median, roundTo } from './lib/stats.ts';
import { eventChunks, processTimed, warmBaselines } from './detector.engine.bench.ts';
import type { RuleMatch } from '../detector/rules/engine.ts';
import type { AuditEvent } from '../schemas/event.ts';

/** What a side needs of its checkout: its engine, its shipped rules and its catalogue. */
interface Version {
  label: string;
  newEngine: () => { process(e: AuditEvent): RuleMatch[] };
}

async function loadVersion(root: string, label: string): Promise<Version> {
  const engine = await import(resolve(root, 'detector/rules/engine.ts'));
  const rulesLoad = await import(resolve(root, 'detector/rules/rules.load.ts'));
  const catalogues = await import(resolve(root, 'classify/catalogue.ts'));
  const rules = rulesLoad.loadRulesOrThrow([rulesLoad.DEFAULT_RULES_DIR]).map((r: { rule: unknown }) => r.rule);
  const catalogue = catalogues.loadCatalogue();
  // The same warm baselines for both (this checkout's): only the engines differ.
  return { label, newEngine: () => engine.createEngine({ rules, catalogue, baselines: warmBaselines(), allowedLatenessMs: 5_000 }) };
}

interface Pass {
  eventsPerCpuS: number;
  matches: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

/** One pass of the events through a fresh engine of `v`, timing only the engine, in CPU time. */
function pass(v: Version, users: number, events: number): Pass {
  gc?.();
  const engine = v.newEngine();
  let micros = 0;
  let matches = 0;
  for (const chunk of eventChunks(users, events, 7)) {
    const t = processTimed(engine, chunk);
    micros += t.cpuMicros;
    matches += t.matches;
  }
  return { eventsPerCpuS: Math.round(events / (micros / 1e6)), matches };
}

export interface CompareResult extends BenchFrame {
  against: string;
  users: number;
  events: number;
  rounds: number;
  /** Events per CPU-second of each side, by round. */
  a_events_per_cpu_s: number[];
  b_events_per_cpu_s: number[];
  /** B / A per round, and their median: above 1, this checkout is quicker. */
  ratios: number[];
  median_ratio: number;
  a_matches: number;
  b_matches: number;
}

export async function compareEngines(opts: { against: string; users?: number; events?: number; rounds?: number }): Promise<CompareResult> {
  const run = beginBench('bench:detector.engine.compare', toStderr);
  const users = opts.users ?? 30_000;
  const events = opts.events ?? 300_000;
  const rounds = Math.max(1, opts.rounds ?? 6);
  const a = await loadVersion(opts.against, `A (${opts.against})`);
  const b = await loadVersion(resolve(import.meta.dirname, '..'), 'B (this checkout)');
  // A whole pass of each side first, not counted: with only a slice of warm-up, both sides still
  // sped up through the first rounds (the JIT, and the heap growing to its working size).
  for (const v of [a, b]) pass(v, users, events);
  const side = (v: Version) => ({
    name: v.label,
    run: async (round: number) => {
      const p = pass(v, users, events);
      toStderr(`bench:detector.engine.compare: round ${round + 1}/${rounds}, ${v.label}: ${p.eventsPerCpuS.toLocaleString('en-US')} events per CPU-second`);
      return p;
    },
  });
  const { rounds: byRound } = await runInterleaved([side(a), side(b)], rounds, { alternate: true });
  const aRuns = byRound.map((r) => r[a.label]!);
  const bRuns = byRound.map((r) => r[b.label]!);
  const ratios = bRuns.map((x, i) => roundTo(x.eventsPerCpuS / aRuns[i]!.eventsPerCpuS));
  const result: CompareResult = {
    against: opts.against,
    users,
    events,
    rounds,
    a_events_per_cpu_s: aRuns.map((x) => x.eventsPerCpuS),
    b_events_per_cpu_s: bRuns.map((x) => x.eventsPerCpuS),
    ratios,
    median_ratio: roundTo(median(ratios)),
    a_matches: aRuns[0]!.matches,
    b_matches: bRuns[0]!.matches,
    ...run.finish(),
  };
  toStderr(`bench:detector.engine.compare: B / A, median of ${rounds} rounds: ${result.median_ratio} (rounds ${Math.min(...ratios)} to ${Math.max(...ratios)})`);
  if (result.a_matches !== result.b_matches) toStderr(`bench:detector.engine.compare: the sides raised different matches: A ${result.a_matches}, B ${result.b_matches}`);
  return result;
}

const USAGE = `
npm run bench:detector:compare -- --against DIR [options]   (= node --expose-gc bench/detector.engine.compare.ts)
Times this checkout's rule engine against the one in DIR (a checkout with node_modules, such as a git
worktree of main), in one process, passes alternating. Last stdout line: a JSON object.
  --against DIR     the other checkout (A); this one is B (required)
  --users N         active users (default 30000)
  --events N        events per pass (default 300000)
  --rounds N        rounds of one pass per side (default 6)
  --help            this text`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const values = benchArgs({ against: { type: 'string' }, users: { type: 'string' }, events: { type: 'string' }, rounds: { type: 'string' } } as const, USAGE);
  if (!values.against) {
    process.stderr.write(`--against is required\n${USAGE}\n`);
    process.exit(2);
  }
  const result = await compareEngines({ against: resolve(values.against), users: numberOption(values.users), events: numberOption(values.events), rounds: numberOption(values.rounds) });
  process.stdout.write(`${JSON.stringify({ bench: 'detector.engine.compare', ...result })}\n`);
}
