// The rule engine: classifies each event once, hands it to the rules that can match it (indexed by
// event kind and capability class), keeps bounded per-user state, and returns what matched.
//
//   const engine = createEngine({ rules, catalogue, baselines, allowedLatenessMs: 5_000 });
//   for (const match of engine.process(event)) produce(toAlert(match, { incidentId, detectedAt }));
//
// Event time: the watermark is the largest event time seen minus the allowed lateness. Events older
// than their user's newest event but not older than the watermark are handled in event-time order
// (sequence rules replay the key's buffer); older ones are counted as `late` and processed best
// effort. Absence steps fire when the watermark passes their deadline, from `process` or
// `advanceWatermark` — both return matches.
//
// Idempotent: the same event id seen again for a user (within that user's last `dedupPerUser`
// events) is dropped, so a consumer re-reading uncommitted events raises nothing twice.
import { EMPTY_BASELINES, type BaselineSnapshot, type UserBaseline } from '../baselines/baseline.types.ts';
import type { Catalogue, Classification } from '../../classify/catalogue.ts';
import { classifyWithHints, ToolHintsMemory } from '../../classify/tool.hints.ts';
import type { AuditEvent } from '../../schemas/event.ts';
import { createBaselineRule } from './baseline.rule.ts';
import { createDriftRule } from './drift.rule.ts';
import { createFirstSeenRule } from './first-seen.rule.ts';
import { forgetDestinationsBefore, rememberDestinations } from './destinations.ts';
import { citeOrigin, matchUserKey } from './match.ts';
import { createPatternRule } from './pattern.rule.ts';
import { ProvenanceStore } from './provenance.ts';
import { EventKeeper } from './event.kept.ts';
import { pruneMap } from './map.prune.ts';
import { hash53 } from './hash53.ts';
import { UserTable } from './user.table.ts';
import { DEFAULT_RISK, RiskAccumulator, type RiskOptions } from './risk.ts';
import type { EngineContext, Ev, RuleHandler, RuleMatch, RuleRef, UserState } from './rule.types.ts';
import type { Rule } from './rule.schema.ts';
import { createSequenceRule } from './sequence.rule.ts';
import { createThresholdRule } from './threshold.rule.ts';
import { isoToMs } from '../../core/iso.time.ts';

export type { RuleMatch } from './rule.types.ts';

export interface EngineOptions {
  rules: readonly Rule[];
  catalogue: Catalogue;
  baselines?: BaselineSnapshot;
  /** How late (event time) an event may arrive and still be matched in order. */
  allowedLatenessMs?: number;
  /** Users with state at most; the least recently active are evicted beyond it. */
  maxUsers?: number;
  /** Event ids remembered per user for idempotent re-processing. */
  dedupPerUser?: number;
  /** Risk-based alerting (risk.ts): threshold, half-life, distinct rules, routine weight. */
  risk?: Partial<RiskOptions>;
  /** Labelled results remembered per user for provenance (the oldest go first beyond it). */
  provenancePerUser?: number;
  /**
   * true (default): the watermark follows the largest event time processed. false: only
   * `advanceWatermark` moves it — a consumer of several partitions passes the minimum of their
   * event times, so a lagging partition's events are not taken for late ones.
   */
  watermarkFromEvents?: boolean;
  /**
   * Diagnostics: times every rule's handling of every event (stats().secondsByRule). Off by default:
   * reading the clock twice per rule call adds about a tenth of a microsecond to each.
   */
  timeRules?: boolean;
}

export interface EngineStats {
  events: number;
  duplicates: number;
  /** Older than their user's newest event (handled in order if within the lateness). */
  outOfOrder: number;
  /** Older than the watermark: processed best effort. */
  late: number;
  invalid: number;
  matches: number;
  /** Matches that are alerts (rules alerting on their own, and stories that added up). */
  alerts: number;
  /** Matches that are signals (their risk accumulates). */
  signals: number;
  stories: number;
  suppressed: number;
  users: number;
  evictedUsers: number;
  keyedStates: number;
  watermark: number;
  matchesByRule: Record<string, number>;
  /** Wall seconds spent in each rule's event handler (only with `timeRules`). */
  secondsByRule?: Record<string, number>;
}

export interface Engine {
  readonly rules: readonly RuleRef[];
  process(event: AuditEvent): RuleMatch[];
  /** Moves the watermark (event time, ms) forward; returns matches of absence steps that became due. */
  advanceWatermark(ms: number): RuleMatch[];
  setBaselines(snapshot: BaselineSnapshot): void;
  /** How far back state matters: the longest rule window plus the allowed lateness (ms). */
  stateWindowMs(): number;
  stats(): EngineStats;
  /** Drops all state (before a rebuild). */
  reset(): void;
}

const NO_MATCHES: RuleMatch[] = [];
Object.freeze(NO_MATCHES);
/** Expired state is swept whenever the watermark has moved this far (event time). */
const SWEEP_EVERY_MS = 60_000;
/** Users are kept at least this long after their last event, for the duplicate check. */
const MIN_USER_WINDOW_MS = 10 * 60_000;

export function createHandler(rule: Rule, slot: number, catalogue: Catalogue): RuleHandler {
  switch (rule.kind) {
    case 'sequence': return createSequenceRule(rule, slot, catalogue);
    case 'threshold': return createThresholdRule(rule, slot, catalogue);
    case 'pattern': return createPatternRule(rule, slot, catalogue);
    case 'first_seen': return createFirstSeenRule(rule, slot, catalogue);
    case 'baseline': return createBaselineRule(rule, slot, catalogue);
    case 'drift': return createDriftRule(rule, slot, catalogue);
  }
}

export function createEngine(opts: EngineOptions): Engine {
  const catalogue = opts.catalogue;
  const lateness = opts.allowedLatenessMs ?? 5_000;
  const maxUsers = opts.maxUsers ?? 1_000_000;
  const dedupPerUser = Math.max(1, opts.dedupPerUser ?? 32);
  // About the reads of a busy agent run in the 30 minutes the shipped provenance conditions look back.
  const provenancePerUser = Math.max(1, opts.provenancePerUser ?? 100);
  const risk = new RiskAccumulator(opts.risk);
  const keeper = new EventKeeper();
  const riskHorizonMs = 8 * (opts.risk?.halfLifeMs ?? DEFAULT_RISK.halfLifeMs);
  const watermarkFromEvents = opts.watermarkFromEvents ?? true;
  // What each server's last tools/list said, for classifying tools the catalogue does not know.
  const toolHints = new ToolHintsMemory();
  const handlers = opts.rules.filter((r) => r.enabled).map((r, i) => createHandler(r, i, catalogue));
  const timed = handlers.filter((h) => h.onWatermark);
  const swept = handlers.filter((h) => h.sweep);
  const maxWindow = Math.max(0, ...handlers.map((h) => h.windowMs));
  const userWindow = Math.max(maxWindow + lateness, MIN_USER_WINDOW_MS);
  const suppress = handlers.map((h) => (h.suppressMs > 0 ? new Map<string | UserState, number>() : null));
  const ruleMs = opts.timeRules ? new Float64Array(handlers.length) : null;

  const routes = new Map<string, WeakMap<Classification, RuleHandler['onEvent'][]>>();
  const routeLists = new Map<string, RuleHandler['onEvent'][]>();
  const users = new UserTable(handlers.length);
  let watermark = -Infinity;
  let nextSweep = -Infinity;
  let out: RuleMatch[] = [];
  const s = { events: 0, duplicates: 0, outOfOrder: 0, late: 0, invalid: 0, matches: 0, alerts: 0, signals: 0, suppressed: 0, evictedUsers: 0 };
  const byRule = new Map<string, number>();

  const ctx: EngineContext = {
    baselines: opts.baselines ?? EMPTY_BASELINES,
    watermark,
    allowedLatenessMs: lateness,
    userBaseline(user: UserState): UserBaseline | undefined {
      if (user.baselineOf !== ctx.baselines) {
        user.baseline = ctx.baselines.user(user.tenant, user.user);
        user.baselineOf = ctx.baselines;
      }
      return user.baseline;
    },
    admit(handler: RuleHandler, key: string | UserState, ts: number): boolean {
      const map = suppress[handler.slot];
      if (!map) return true;
      const until = map.get(key);
      if (until !== undefined && ts < until) {
        s.suppressed++;
        return false;
      }
      map.set(key, ts + handler.suppressMs);
      return true;
    },
    emit(match: RuleMatch): void {
      out.push(match);
      s.matches++;
      byRule.set(match.rule.id, (byRule.get(match.rule.id) ?? 0) + 1);
      if (match.alert) s.alerts++;
      else s.signals++;
    },
  };

  /**
   * The rules an event of this kind and classification can match, each specialized to them
   * (condition.fold.ts), as their event functions: specialized handlers differ in shape, so loading
   * `onEvent` from each on every event was a megamorphic property load. Classifications are
   * interned, so the lists are found by the object; two objects that read alike share one list.
   */
  function route(kind: string, cls: Classification): RuleHandler['onEvent'][] {
    let byCls = routes.get(kind);
    if (!byCls) routes.set(kind, (byCls = new WeakMap()));
    let list = byCls.get(cls);
    if (!list) {
      const sig = `${kind}\u0001${cls.class}\u0001${cls.inferred}\u0001${cls.labels.join('\u0001')}`;
      list = routeLists.get(sig);
      if (!list) {
        list = [];
        for (const h of handlers) {
          if ((h.kinds !== null && !h.kinds.has(kind)) || (h.classes !== null && !h.classes.has(cls.class))) continue;
          const s = h.specialize ? h.specialize({ kind, cls }) : h;
          if (s !== null) list.push(ruleMs === null ? s.onEvent : withTiming(s.onEvent, ruleMs, h.slot));
        }
        routeLists.set(sig, list);
      }
      byCls.set(cls, list);
    }
    return list;
  }

  function userState(tenant: string, user: string): UserState {
    const u = users.get(tenant, user);
    if (users.size > maxUsers) shrinkUsers(u);
    return u;
  }

  /**
   * True when the id was seen for this user; otherwise remembers it. An event newer than every event
   * of its user cannot have been seen (a redelivered event keeps its time), so only the others are
   * looked for: in a stream in order, that is almost none.
   */
  function seenBefore(u: UserState, h: number, ts: number): boolean {
    const ids = u.ids;
    if (ts <= u.lastTs) for (let i = 0; i < ids.length; i++) if (ids[i] === h) return true;
    if (ids.length < dedupPerUser) ids.push(h);
    else {
      ids[u.idPos] = h;
      u.idPos = (u.idPos + 1) % dedupPerUser;
    }
    return false;
  }

  function moveWatermark(to: number): void {
    if (!(to > watermark)) return;
    watermark = ctx.watermark = to;
    for (let i = 0; i < timed.length; i++) timed[i]!.onWatermark!(ctx);
    if (watermark >= nextSweep) {
      sweep(watermark - userWindow);
      nextSweep = watermark + SWEEP_EVERY_MS;
    }
  }

  function sweep(beforeTs: number): void {
    users.removeIdle(beforeTs);
    for (const h of swept) h.sweep!(watermark - lateness);
    risk.sweep(watermark - riskHorizonMs);
    for (const map of suppress) if (map) pruneMap(map, (until) => until < watermark);
  }

  /** Over the user limit: evict the least recently active users (down to 90% of the limit). */
  function shrinkUsers(keep: UserState): void {
    const all: number[] = [];
    for (const u of users.values()) all.push(u.lastTs);
    all.sort((a, b) => a - b);
    const cutoff = all[Math.floor(maxUsers * 0.1)] ?? Infinity;
    let over = users.size - Math.floor(maxUsers * 0.9);
    s.evictedUsers += users.removeWhere((u) => u !== keep && u.lastTs < cutoff && over-- > 0);
  }

  /**
   * Adds this step's signals to their stories — after every rule has seen the event, so an alert of
   * its own (a whole chain) explains the story of its user instead of a second, story alert.
   */
  function collect(ev?: Ev): RuleMatch[] {
    if (out.length === 0) return NO_MATCHES;
    const result = out;
    out = [];
    if (ev?.origin !== undefined) for (const m of result) citeOrigin(m, ev);
    const explained = new Set<string>();
    for (const m of result) if (m.alert) {
      risk.explain(m);
      explained.add(matchUserKey(m));
    }
    const n = result.length;
    for (let i = 0; i < n; i++) {
      const m = result[i]!;
      if (m.alert || explained.has(matchUserKey(m))) continue;
      for (const story of risk.add(m, ctx.baselines)) {
        result.push(story);
        s.matches++;
        s.alerts++;
        byRule.set(story.rule.id, (byRule.get(story.rule.id) ?? 0) + 1);
      }
    }
    return result;
  }

  function tainted(ev: Ev, raised: readonly RuleMatch[]): boolean {
    if (ev.origin !== undefined && ev.origin.cls.labels.includes('untrusted_content')) return true;
    for (const m of raised) if (m.alert && m.evidence[m.evidence.length - 1] === ev.e) return true;
    return false;
  }

  return {
    rules: handlers.map((h) => h.ref),

    process(e: AuditEvent): RuleMatch[] {
      const ts = isoToMs(e.ts);
      if (Number.isNaN(ts)) {
        s.invalid++;
        return NO_MATCHES;
      }
      s.events++;
      const u = userState(e.tenant_id, e.actor.user_id);
      if (seenBefore(u, hash53(e.event_id), ts)) {
        s.duplicates++;
        return NO_MATCHES;
      }
      if (ts >= u.lastTs) users.setNewest(u, ts);
      else s.outOfOrder++;
      if (ts < watermark) s.late++;
      // Timers due before this event are fired first: an event past a deadline cannot cancel it.
      if (watermarkFromEvents) moveWatermark(ts - lateness);
      const cls = classifyWithHints(toolHints, e, catalogue);
      // `origin` is declared up front so a provenance condition setting it keeps the object's shape.
      const ev: Ev = { e, ts, cls, user: u, origin: undefined };
      // Conditions on destinations read the user's baseline from the state (cached per snapshot).
      if (u.baselineOf !== ctx.baselines) {
        ctx.userBaseline(u);
        forgetDestinationsBefore(u, ctx.baselines.computedAt);
      }
      const list = route(e.kind, cls);
      for (let i = 0; i < list.length; i++) list[i]!(ev, ctx);
      // Only after every rule has seen the call: its own result is no provenance of its arguments,
      // and its destinations are not novel to itself.
      if (e.schema_version === 2) {
        if (e.fingerprints && e.fingerprints.result.length > 0 && cls.labels.length > 0) (u.prov ??= new ProvenanceStore(provenancePerUser)).record(ev);
      }
      // A destination does not become familiar through a suspicious use: not when this call raised an
      // alert, nor when its values came from untrusted content. A second injected send to the same
      // attacker address is then still a send to a new destination.
      if (!tainted(ev, out)) rememberDestinations(u, ev);
      const matches = collect(ev);
      // From here on the event only waits in windows: keep the part later steps read (event.kept.ts).
      ev.e = keeper.keep(e, u);
      return matches;
    },

    advanceWatermark(ms: number): RuleMatch[] {
      moveWatermark(ms);
      return collect();
    },

    setBaselines(snapshot: BaselineSnapshot): void {
      ctx.baselines = snapshot;
      for (const h of handlers) h.onBaselines?.(snapshot);
    },

    // Also two risk half-lives: the stories and the provenance a restart must rebuild (provenance
    // conditions look back at most 30 minutes in the shipped pack).
    stateWindowMs: () => Math.max(maxWindow, 2 * (opts.risk?.halfLifeMs ?? DEFAULT_RISK.halfLifeMs)) + lateness,

    stats(): EngineStats {
      let keyed = 0;
      for (const h of handlers) keyed += h.keyCount?.() ?? 0;
      const secondsByRule = ruleMs === null ? undefined : Object.fromEntries(handlers.map((h) => [h.ref.id, ruleMs[h.slot]! / 1000]));
      return { ...s, users: users.size, keyedStates: keyed, stories: risk.size(), watermark, matchesByRule: Object.fromEntries(byRule), secondsByRule };
    },

    reset(): void {
      users.clear();
      routes.clear();
      routeLists.clear();
      for (const h of handlers) h.reset();
      for (const map of suppress) map?.clear();
      risk.reset();
      keeper.clear();
      watermark = ctx.watermark = -Infinity;
      nextSweep = -Infinity;
      out = [];
    },
  };
}

/** `onEvent` with the wall time of each call added to `ms[slot]` (milliseconds). */
function withTiming(onEvent: RuleHandler['onEvent'], ms: Float64Array, slot: number): RuleHandler['onEvent'] {
  return (ev, ctx) => {
    const t0 = performance.now();
    onEvent(ev, ctx);
    ms[slot]! += performance.now() - t0;
  };
}
