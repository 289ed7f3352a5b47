// The benign population's traffic: for each user, 14 days of history and one evaluated working
// day, agent runs at random times in local working hours (an occasional weekend look, on-call SREs
// more often), each run a routine of the user's role padded with look-around calls. The evaluated
// day is made to contain every messy pattern at least once.
import type { Rng } from '../rng.ts';
import type { Exchange } from './exchange.schema.ts';
import type { PopUser } from './population.ts';
import { MESSY_PATTERNS, type Routine } from './routine.ts';
import { DEV_ROUTINES, KUBE_DAILY } from './routines.dev.ts';
import { OFFICE_ROUTINES, PAY_INVOICE } from './routines.office.ts';
import { Run } from './run.builder.ts';
import { filler, type Ctx } from './steps.ts';
import { shuffle } from './shuffle.ts';

export const ROUTINES: readonly Routine[] = [...DEV_ROUTINES, ...OFFICE_ROUTINES];

export interface PlannedRun {
  routine: Routine;
  force: boolean;
}

export interface BenignRun {
  /** The run's label id, e.g. `u017.d14.r03`: its exchange ids are `<id>#<n>`. */
  id: string;
  routine: Routine;
  start: number;
  end: number;
  exchanges: Exchange[];
}

export interface UserDay {
  user: PopUser;
  /** 0..historyDays-1 are history, historyDays is the evaluated day. */
  dayIndex: number;
  runs: BenignRun[];
}

const DAY_MS = 86_400_000;

/** Epoch ms of local time `hours` on the user's local calendar day `dateUtcMidnight`. */
export const localTime = (u: PopUser, dateUtcMidnight: number, hours: number) => dateUtcMidnight + Math.round(hours * 3_600_000) - u.utcOffsetMin * 60_000;

function pickRoutine(rng: Rng, u: PopUser): Routine {
  const weights: Record<string, number> = {};
  for (const r of ROUTINES) {
    // SREs read the kube config at the start of every working day already; more runs of it are rarer.
    const w = r === KUBE_DAILY && u.role === 'sre' ? 1 : (r.roles[u.role] ?? 0);
    if (w > 0) weights[r.name] = w;
  }
  const name = rng.weighted(weights);
  return ROUTINES.find((r) => r.name === name)!;
}

const callCount = (run: Run) => run.exchanges.filter((x) => x.request.method === 'tools/call').length;

/** Builds one run of a routine: a little look-around, the routine, perhaps more look-around; 3–30 calls. */
export function buildRun(rng: Rng, u: PopUser, start: number, prefix: string, listed: Set<string>, plan: PlannedRun): Run {
  // About 2% of calls fail once and are retried, as flaky servers and timeouts make them.
  const run = new Run(u, rng, start, prefix, { listed, flaky: 0.02 });
  const ctx: Ctx = { run, u, rng };
  filler(ctx, rng.chance(0.5) ? rng.int(1, 3) : 0);
  plan.routine.build(ctx, plan.force);
  filler(ctx, rng.chance(0.1) ? rng.int(6, 12) : rng.int(0, 3));
  while (callCount(run) < 3) filler(ctx, 1);
  return run;
}

/** Routines forced onto the evaluated day so each messy pattern occurs: pattern → [user key, routine]. */
export function coveragePlan(rng: Rng, users: readonly PopUser[]): Map<string, PlannedRun[]> {
  const forced = new Map<string, PlannedRun[]>();
  const order = shuffle(rng, users);
  for (const pattern of MESSY_PATTERNS) {
    const routine = ROUTINES.find((r) => r.patterns?.includes(pattern))!;
    const user = order.find((u) => (routine === PAY_INVOICE ? u.role === 'sales' : (routine.roles[u.role] ?? 0) > 0) && (forced.get(u.key)?.length ?? 0) < 2);
    if (!user) continue;
    forced.set(user.key, [...(forced.get(user.key) ?? []), { routine, force: true }]);
  }
  return forced;
}

/** All days of one user; `evalDay` is UTC midnight of the evaluated local date. */
export function userDays(rng: Rng, u: PopUser, evalDay: number, historyDays: number, forced: readonly PlannedRun[]): UserDay[] {
  const days: UserDay[] = [];
  for (let d = 0; d <= historyDays; d++) {
    const date = evalDay - (historyDays - d) * DAY_MS;
    const weekday = new Date(date).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    const evaluated = d === historyDays;
    const plans: PlannedRun[] = [];
    if (weekend) {
      // On-call SREs look at the clusters on many weekends; others rarely work then.
      if (rng.chance(u.role === 'sre' ? 0.3 : 0.06)) for (let k = rng.int(1, 2); k > 0; k--) plans.push({ routine: u.role === 'sre' ? KUBE_DAILY : pickRoutine(rng, u), force: false });
    } else if (evaluated || !rng.chance(0.07)) {
      // (A day off now and then in history; everyone works on the evaluated day.)
      if (u.role === 'sre') plans.push({ routine: KUBE_DAILY, force: false });
      if (u.role === 'sales' && weekday === u.payDay) plans.push({ routine: PAY_INVOICE, force: false });
      for (let k = Math.max(1, rng.poisson(u.runsPerDay)); k > 0; k--) plans.push({ routine: pickRoutine(rng, u), force: false });
      if (evaluated) plans.push(...forced);
    }
    const hours = weekend ? [u.workStart + 2, u.workStart + 6] : [u.workStart, u.workEnd];
    const starts = plans.map(() => hours[0]! + rng.next() * (hours[1]! - hours[0]!)).sort((a, b) => a - b);
    // The kube config is read at the start of the day, before the rest.
    const ordered = [...plans].sort((a, b) => Number(b.routine === KUBE_DAILY) - Number(a.routine === KUBE_DAILY));
    const listed = new Set<string>();
    const runs: UserDay['runs'] = [];
    let cursor = 0;
    ordered.forEach((plan, i) => {
      const start = Math.max(localTime(u, date, starts[i]!), cursor + rng.int(30, 300) * 1000);
      const id = `${u.key}.d${String(d).padStart(2, '0')}.r${String(i + 1).padStart(2, '0')}`;
      const run = buildRun(rng, u, start, `${id}#`, listed, plan);
      runs.push({ id, routine: plan.routine, start, end: run.t, exchanges: run.exchanges });
      cursor = run.t;
    });
    days.push({ user: u, dayIndex: d, runs });
  }
  return days;
}
