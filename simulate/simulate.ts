// The traffic generator as a library: `generateTraffic` builds a history of realistic MCP traffic
// (past timestamps, for baselines and backtests) with injected attack chains and their ground
// truth; `LiveTraffic` yields the same kind of traffic in real time at a given rate. Both are
// deterministic for a seed (and, for history, the end time). The Kafka runner is simulate.runner.ts.
import type { AuditEventV1 } from '../schemas/event.v1.ts';
import { benignCall } from './benign.calls.ts';
import { ROLE_TOOLS, serversOf } from './catalog.ts';
import { buildChain, type ChainType, type InjectedChain } from './chains.ts';
import { newSession, sessionEvent, toolCallEvent, toolListEvent, type SimSession } from './events.build.ts';
import { DEFAULT_TENANTS, makePopulation, type SimUser } from './population.ts';
import { createRng, type Rng } from './rng.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export interface InjectSpec {
  type: ChainType;
  count: number;
}

export interface TrafficOptions {
  users?: number;
  /** Days of history ending at `endMs`. */
  days?: number;
  seed?: number;
  /** End of the history (exclusive), epoch ms; default now, floored to the minute. */
  endMs?: number;
  tenants?: readonly string[];
  inject?: readonly InjectSpec[];
  /** Injected chains start only within the last `injectDays` days (default: anywhere in the window), so the days before are clean history for baselines. */
  injectDays?: number;
}

export interface Manifest {
  version: 1;
  seed: number;
  generated_at: string;
  mode: 'history' | 'live' | 'history+live';
  window: { from: string; to: string };
  users: { tenant_id: string; user_id: string; role: string; tz: string; injected: boolean }[];
  chains: InjectedChain[];
  counts: { events: number; chain_events: number; by_kind: Record<string, number> };
}

export function createManifest(seed: number, mode: 'history' | 'live', users: readonly SimUser[], fromMs: number, toMs: number): Manifest {
  return {
    version: 1,
    seed,
    generated_at: new Date().toISOString(),
    mode,
    window: { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() },
    users: users.map((u) => ({ tenant_id: u.tenant_id, user_id: u.user_id, role: u.role, tz: u.tz, injected: false })),
    chains: [],
    counts: { events: 0, chain_events: 0, by_kind: {} },
  };
}

/** Records a chain and marks its user as not benign. */
export function addChain(m: Manifest, chain: InjectedChain): void {
  m.chains.push(chain);
  m.counts.chain_events += chain.event_ids.length;
  const u = m.users.find((x) => x.tenant_id === chain.tenant_id && x.user_id === chain.user_id);
  if (u) u.injected = true;
}

export function countEvent(m: Manifest, e: AuditEventV1): void {
  m.counts.events++;
  m.counts.by_kind[e.kind] = (m.counts.by_kind[e.kind] ?? 0) + 1;
}

const localHour = (u: SimUser, ms: number) => (((ms + u.utcOffsetMin * MIN) % DAY) + DAY) % DAY / HOUR;
/** 0 = Monday .. 6 = Sunday, in the user's time zone. */
const localWeekday = (u: SimUser, ms: number) => (Math.floor((ms + u.utcOffsetMin * MIN) / DAY) + 3) % 7;
const isWorkTime = (u: SimUser, ms: number) => localWeekday(u, ms) < 5 && localHour(u, ms) >= u.workStart && localHour(u, ms) < u.workEnd;

/** A session opens with initialize and tools/list on each of the role's servers. */
function openSession(rng: Rng, s: SimSession, ms: number, out: AuditEventV1[]): number {
  for (const server of serversOf(s.user.role)) {
    out.push(sessionEvent(rng, s, ms, server));
    ms += rng.int(20, 400);
    out.push(toolListEvent(rng, s, ms, server));
    ms += rng.int(20, 400);
  }
  return ms;
}

/** Calls at a Poisson rate through [fromMs, toMs), with a lunch dip; a failed call is sometimes retried. */
function workSpan(rng: Rng, u: SimUser, fromMs: number, toMs: number, rate: number, out: AuditEventV1[]): void {
  const s = newSession(rng, u);
  let ms = openSession(rng, s, fromMs, out);
  const mix = ROLE_TOOLS[u.role];
  for (let h = fromMs; h < toMs; h += HOUR) {
    const span = Math.min(HOUR, toMs - h);
    const lunch = Math.abs(localHour(u, h) - 12.5) < 0.6 ? 0.4 : 1;
    const n = rng.poisson((rate * lunch * span) / HOUR);
    const times = Array.from({ length: n }, () => h + Math.floor(rng.next() * span)).sort((a, b) => a - b);
    for (const t of times) {
      ms = Math.max(t, ms + 50);
      const c = benignCall(rng, u, rng.weighted(mix));
      out.push(toolCallEvent(rng, s, ms, c));
      if (c.status === 'error' && rng.chance(0.5)) {
        ms += rng.int(1_000, 5_000);
        out.push(toolCallEvent(rng, s, ms, { ...c, status: 'ok', resultBytes: rng.logNormal(3_000, 0.8) }));
      }
    }
  }
}

/** One user's benign traffic over local days that overlap the window. */
function userHistory(rng: Rng, u: SimUser, fromMs: number, toMs: number): AuditEventV1[] {
  const out: AuditEventV1[] = [];
  const off = u.utcOffsetMin * MIN;
  const firstDay = Math.floor((fromMs + off) / DAY);
  const lastDay = Math.floor((toMs + off) / DAY);
  for (let day = firstDay; day <= lastDay; day++) {
    const midnight = day * DAY - off; // local midnight in UTC ms
    const weekday = (day + 3) % 7;
    if (weekday < 5) {
      if (!rng.chance(0.92)) continue; // a day off
      const start = midnight + u.workStart * HOUR + rng.int(-20, 20) * MIN;
      const end = midnight + u.workEnd * HOUR + rng.int(-30, 30) * MIN;
      const lunch = midnight + (12 + rng.int(0, 60) / 60) * HOUR;
      workSpan(rng, u, start, lunch, u.callsPerHour, out);
      workSpan(rng, u, lunch + rng.int(30, 60) * MIN, end, u.callsPerHour, out);
      // Noise: now and then a quick look in the evening.
      if (rng.chance(0.1)) {
        const t = midnight + (19 + rng.next() * 3) * HOUR;
        workSpan(rng, u, t, t + rng.int(5, 20) * MIN, u.callsPerHour, out);
      }
    } else if (rng.chance(u.weekendChance)) {
      const t = midnight + (10 + rng.next() * 8) * HOUR;
      workSpan(rng, u, t, t + rng.int(30, 120) * MIN, u.callsPerHour / 2, out);
    }
  }
  return out.filter((e) => {
    const ms = Date.parse(e.ts);
    return ms >= fromMs && ms < toMs;
  });
}

const byTime = (a: AuditEventV1, b: AuditEventV1) => Date.parse(a.ts) - Date.parse(b.ts) || (a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0);

/** Picks distinct users for the chains (reusing users only when there are more chains than users). */
function chainUsers(rng: Rng, users: readonly SimUser[], n: number): SimUser[] {
  const order = [...users];
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return Array.from({ length: n }, (_, i) => order[i % order.length]!);
}

/** History: every user's traffic over `days` days before `endMs`, the injected chains, and the manifest. */
export function generateTraffic(opts: TrafficOptions = {}): { events: AuditEventV1[]; manifest: Manifest } {
  const seed = opts.seed ?? 1;
  const endMs = opts.endMs ?? Math.floor(Date.now() / MIN) * MIN;
  const fromMs = endMs - (opts.days ?? 1) * DAY;
  const injectFromMs = opts.injectDays === undefined ? fromMs : Math.max(fromMs, endMs - opts.injectDays * DAY);
  const root = createRng(seed);
  const users = makePopulation(root.fork('population'), opts.users ?? 20, opts.tenants ?? DEFAULT_TENANTS);
  const manifest = createManifest(seed, 'history', users, fromMs, endMs);

  const perUser = new Map<SimUser, AuditEventV1[]>();
  const trafficRng = root.fork('traffic');
  for (const u of users) perUser.set(u, userHistory(trafficRng.fork(u.user_id), u, fromMs, endMs));
  const events = [...perUser.values()].flat();

  const chainRng = root.fork('chains');
  const specs = (opts.inject ?? []).flatMap((s) => Array.from({ length: s.count }, () => s.type));
  const victims = chainUsers(chainRng, users, specs.length);
  specs.forEach((type, i) => {
    const u = victims[i]!;
    // Start right after one of the user's own calls, so the chain sits inside real activity.
    const own = (perUser.get(u) ?? []).filter((e) => e.kind === 'tool_call' && Date.parse(e.ts) >= injectFromMs && Date.parse(e.ts) < endMs - 15 * MIN);
    const startMs = own.length ? Date.parse(chainRng.pick(own).ts) + chainRng.int(2_000, 20_000) : injectFromMs + Math.floor(chainRng.next() * Math.max(1, endMs - injectFromMs - 15 * MIN));
    const { chain, events: chainEvents } = buildChain(chainRng, type, u, startMs, () => chainRng.int(5_000, 90_000), i);
    events.push(...chainEvents);
    addChain(manifest, chain);
  });

  events.sort(byTime);
  for (const e of events) countEvent(manifest, e);
  return { events, manifest };
}

export interface LiveOptions {
  users?: number;
  seed?: number;
  tenants?: readonly string[];
  /** Events per second. */
  rate: number;
  /** How long the live run lasts (ms); chains are spread over it. Undefined: until stopped (a chain every 20 s). */
  durationMs?: number;
  inject?: readonly InjectSpec[];
  startMs: number;
}

/**
 * Real-time traffic: `due(now)` returns the events whose time has come, keeping `rate` events/s
 * overall. Users on their working hours are picked first; each gets a session (initialize and
 * tools/list) before its first call. Chains run with 1-3 s between steps.
 */
export class LiveTraffic {
  readonly manifest: Manifest;
  private readonly rng: Rng;
  private readonly users: SimUser[];
  private readonly sessions = new Map<SimUser, { s: SimSession; until: number }>();
  private readonly pending: AuditEventV1[] = [];
  private readonly chainPlan: { at: number; type: ChainType; user: SimUser; index: number }[];
  private produced = 0;
  private readonly opts: LiveOptions;
  /** The users on their working hours at `workingAt`: one pass over the population per call of `due`, not per event. */
  private working: SimUser[] = [];
  private workingAt = Number.NaN;

  constructor(opts: LiveOptions) {
    this.opts = opts;
    const seed = opts.seed ?? 1;
    const root = createRng(seed);
    this.users = makePopulation(root.fork('population'), opts.users ?? 20, opts.tenants ?? DEFAULT_TENANTS);
    this.rng = root.fork('live');
    const end = opts.durationMs === undefined ? opts.startMs : opts.startMs + opts.durationMs;
    this.manifest = createManifest(seed, 'live', this.users, opts.startMs, end);
    const chainRng = root.fork('chains');
    const specs = (opts.inject ?? []).flatMap((s) => Array.from({ length: s.count }, () => s.type));
    const victims = chainUsers(chainRng, this.users, specs.length);
    this.chainPlan = specs.map((type, i) => ({
      // Spread over the first two thirds of the run, so every chain completes before it ends.
      at: opts.durationMs === undefined ? opts.startMs + (i + 1) * 20_000 : opts.startMs + Math.floor(((i + 0.5) / specs.length) * opts.durationMs * 0.66),
      type,
      user: victims[i]!,
      index: i,
    }));
  }

  /** Chains not yet started. */
  get chainsLeft(): number {
    return this.chainPlan.length;
  }

  /** Events due by `nowMs`; `benign: false` releases only chain steps (used to let chains finish at the end). */
  due(nowMs: number, benign = true): AuditEventV1[] {
    const out: AuditEventV1[] = [];
    while (this.chainPlan.length && this.chainPlan[0]!.at <= nowMs) {
      const p = this.chainPlan.shift()!;
      const { chain, events } = buildChain(this.rng, p.type, p.user, p.at, () => this.rng.int(1_000, 3_000), p.index);
      addChain(this.manifest, chain);
      this.pending.push(...events);
    }
    this.pending.sort(byTime);
    while (this.pending.length && Date.parse(this.pending[0]!.ts) <= nowMs) out.push(this.pending.shift()!);

    const target = Math.floor((this.opts.rate * (nowMs - this.opts.startMs)) / 1000);
    while (benign && this.produced < target) {
      const before = out.length;
      this.benign(nowMs, out);
      this.produced += out.length - before;
    }
    for (const e of out) countEvent(this.manifest, e);
    return out;
  }

  /** Events still queued (chain steps not yet due). */
  get pendingCount(): number {
    return this.pending.length;
  }

  private benign(nowMs: number, out: AuditEventV1[]): void {
    if (this.workingAt !== nowMs) {
      this.working = this.users.filter((u) => isWorkTime(u, nowMs));
      this.workingAt = nowMs;
    }
    const u = this.rng.pick(this.working.length ? this.working : this.users);
    let sess = this.sessions.get(u);
    if (!sess || sess.until < nowMs) {
      sess = { s: newSession(this.rng, u), until: nowMs + this.rng.int(30, 120) * MIN };
      this.sessions.set(u, sess);
      for (const server of serversOf(u.role)) {
        out.push(sessionEvent(this.rng, sess.s, nowMs, server), toolListEvent(this.rng, sess.s, nowMs, server));
      }
    }
    out.push(toolCallEvent(this.rng, sess.s, nowMs, benignCall(this.rng, u, this.rng.weighted(ROLE_TOOLS[u.role]))));
  }
}
