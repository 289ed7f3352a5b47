// `threshold`: the count (or distinct count of a field) of matching events per key within a sliding
// window reaches `threshold`. Per key we keep the window's events sorted by event time (a late event
// is inserted in place); after a match the key stays quiet for one window, so a burst raises one
// alert, not one per event past the threshold. A `distinct` rule also keeps, per key, the newest
// event time of each value, so the count for a window ending at the key's newest event reads one
// entry per value instead of every event of the window: an agent retrying one failing call a
// thousand times in five minutes made each of its calls walk the other thousand.
import type { Catalogue } from '../../classify/catalogue.ts';
import { compileMatch, interestOf, type Predicate } from './condition.ts';
import { specializeByMatch } from './condition.fold.ts';
import { formatDuration } from './duration.ts';
import { FIELDS, valuesOf } from './fields.ts';
import { cutFront } from './array.cut.ts';
import { pruneMap, pruneOldest } from './map.prune.ts';
import { compileKey, makeMatch, refOf } from './match.ts';
import type { EngineContext, Ev, RuleHandler, UserState } from './rule.types.ts';
import type { ThresholdRule } from './rule.schema.ts';

interface KeyState {
  key: string | UserState;
  evs: Ev[];
  lastTs: number;
  quietUntil: number;
  /** `distinct` rules: the newest event time of each value seen within the window and lateness. */
  newest: Map<string, number> | null;
}

/** A key never holds more than this many events, whatever the threshold and rate. */
const MAX_EVENTS_PER_KEY = 4096;

export function createThresholdRule(rule: ThresholdRule, slot: number, catalogue: Catalogue): RuleHandler {
  const ref = refOf(rule);
  const keyOf = compileKey(rule.by);
  const window = rule.window;
  const distinct = rule.distinct ? FIELDS[rule.distinct]! : null;
  const keep = Math.min(MAX_EVENTS_PER_KEY, distinct ? MAX_EVENTS_PER_KEY : rule.threshold * 2);
  const { classes, kinds } = interestOf(rule.match, catalogue);
  const byKey = new Map<string, KeyState>();

  const handler: RuleHandler = {
    ref,
    slot,
    classes,
    kinds,
    windowMs: window,
    suppressMs: rule.suppress ?? 0,
    onEvent: onEventFor(compileMatch(rule.match)),
    specialize: (route) => specializeByMatch(handler, rule.match, route, onEventFor),
    sweep(beforeTs: number) {
      pruneMap(byKey, (s) => s.lastTs < beforeTs - window);
    },
    keyCount: () => byKey.size,
    reset() {
      byKey.clear();
    },
  };

  function check(s: KeyState, endTs: number, ctx: EngineContext): boolean {
    if (endTs < s.quietUntil) return false;
    // The window ending at the key's newest event (all but late arrivals): count its values cheaply.
    if (s.newest !== null && endTs === s.lastTs && countSince(s.newest, endTs - window) < rule.threshold) return false;
    const evs = s.evs;
    let hi = evs.length;
    while (hi > 0 && evs[hi - 1]!.ts > endTs) hi--;
    let lo = hi;
    while (lo > 0 && evs[lo - 1]!.ts >= endTs - window) lo--;
    let value: number;
    if (distinct) {
      const seen = new Set<string>();
      for (let i = lo; i < hi && seen.size < rule.threshold; i++) for (const v of valuesOf(distinct, evs[i]!)) seen.add(v);
      value = seen.size;
    } else value = hi - lo;
    if (value < rule.threshold) return false;
    s.quietUntil = endTs + window;
    if (!ctx.admit(handler, s.key, endTs)) return true;
    const what = distinct ? `${value} distinct ${rule.distinct}` : `${value} matching events`;
    ctx.emit(makeMatch(rule, ref, evs.slice(lo, hi), `${what} within ${formatDuration(window)} (threshold ${rule.threshold})`));
    return true;
  }

  function stateFor(key: string | UserState): KeyState {
    if (typeof key === 'string') {
      let s = byKey.get(key);
      if (!s) byKey.set(key, (s = newState(key)));
      return s;
    }
    let s = key.slots[slot] as KeyState | undefined;
    if (!s) key.slots[slot] = s = newState(key);
    return s;
  }

  function newState(key: string | UserState): KeyState {
    return { key, evs: [], lastTs: -Infinity, quietUntil: -Infinity, newest: distinct ? new Map() : null };
  }

  /**
   * Notes the event time of each of the event's values. A value seen again moves to the end, so the
   * map runs from the least recently seen value; those before `horizon` go, and beyond the cap the
   * least recently seen.
   */
  function noteValues(newest: Map<string, number>, ev: Ev, horizon: number): void {
    for (const v of valuesOf(distinct!, ev)) {
      const ts = newest.get(v);
      if (ts !== undefined && ts >= ev.ts) continue;
      newest.delete(v);
      newest.set(v, ev.ts);
    }
    pruneOldest(newest, MAX_EVENTS_PER_KEY, horizon);
  }

  /** The rule's event handler around `pred`, the match (or what a route leaves of it, condition.fold.ts). */
  function onEventFor(pred: Predicate) {
    return (ev: Ev, ctx: EngineContext): void => {
      if (!pred(ev)) return;
      const s = stateFor(keyOf(ev));
      const evs = s.evs;
      // Insert in event-time order (almost always at the end).
      let i = evs.length;
      while (i > 0 && evs[i - 1]!.ts > ev.ts) i--;
      if (i === evs.length) evs.push(ev);
      else evs.splice(i, 0, ev);
      if (ev.ts > s.lastTs) s.lastTs = ev.ts;
      const horizon = s.lastTs - window - ctx.allowedLatenessMs;
      let drop = 0;
      while (drop < evs.length && evs[drop]!.ts < horizon) drop++;
      if (evs.length - drop > keep) drop = evs.length - keep;
      if (drop > 0) cutFront(evs, drop);
      if (s.newest !== null) noteValues(s.newest, ev, horizon);
      // The windows that contain the new event: the one ending at it, and (late arrival) the newest.
      check(s, ev.ts, ctx) || (s.lastTs !== ev.ts && check(s, s.lastTs, ctx));
    };
  }

  return handler;
}

/** How many values were seen at or after `sinceTs`. */
function countSince(newest: ReadonlyMap<string, number>, sinceTs: number): number {
  let n = 0;
  for (const ts of newest.values()) if (ts >= sinceTs) n++;
  return n;
}
