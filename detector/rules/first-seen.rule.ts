// `first_seen`: a value never seen for this user — a new tool, server or destination host —
// compared with the baseline's known sets plus what the engine has raised since. Users without a
// baseline, or with less history than `min_history_weeks`, stay silent (cold start).
import type { BaselineSnapshot, UserBaseline } from '../baselines/baseline.types.ts';
import type { Catalogue } from '../../classify/catalogue.ts';
import { compileMatch, interestOf, type Predicate } from './condition.ts';
import { specializeByMatch } from './condition.fold.ts';
import { destinationsOf } from './destinations.ts';
import { pruneMap } from './map.prune.ts';
import { describeCall, makeMatch, refOf } from './match.ts';
import type { EngineContext, Ev, RuleHandler } from './rule.types.ts';
import type { FirstSeenRule } from './rule.schema.ts';

/** Values raised since the snapshot was computed, per user; bounded by both limits below. */
const MAX_NEW_VALUES_PER_USER = 256;
const MAX_USERS_WITH_NEW_VALUES = 200_000;
const NOTHING: ReadonlySet<string> = new Set();

export function createFirstSeenRule(rule: FirstSeenRule, slot: number, catalogue: Catalogue): RuleHandler {
  const ref = refOf(rule);
  const interest = interestOf(rule.match, catalogue);
  const known: (b: UserBaseline) => ReadonlySet<string> =
    rule.field === 'tool.name' ? (b) => b.knownTools
    : rule.field === 'server.name' ? (b) => b.knownServers
    : rule.field === 'destinations' ? (b) => b.knownDestinations ?? NOTHING
    : (b) => b.knownHosts;
  // Single values are checked without wrapping them in an array (no allocation per event).
  const single: ((ev: Ev) => string | undefined) | null =
    rule.field === 'tool.name' ? (ev) => ev.e.tool?.name : rule.field === 'server.name' ? (ev) => ev.e.server.name : null;
  const valuesOf = (ev: Ev): readonly string[] | undefined => {
    if (single === null) return rule.field === 'destinations' ? destinationsOf(ev) : ev.e.resource?.hosts;
    const v = single(ev);
    return v === undefined ? undefined : [v];
  };
  // user -> value -> event time it was first raised (values already raised stay quiet).
  const seen = new Map<string, Map<string, number>>();

  const handler: RuleHandler = {
    ref,
    slot,
    classes: interest.classes,
    // A new server or host shows in any call; a new tool only in tool calls.
    kinds: interest.kinds ?? new Set(rule.field === 'server.name' ? ['tool_call', 'tool_list', 'resource_read'] : ['tool_call']),
    windowMs: 0,
    suppressMs: rule.suppress ?? 0,
    onEvent: onEventFor(compileMatch(rule.match)),
    specialize: (route) => specializeByMatch(handler, rule.match, route, onEventFor),
    onBaselines(snapshot: BaselineSnapshot) {
      // Values raised before the new snapshot was computed are in its known sets now.
      pruneMap(seen, (mine) => {
        pruneMap(mine, (ts) => ts < snapshot.computedAt);
        return mine.size === 0;
      });
    },
    keyCount: () => seen.size,
    reset() {
      seen.clear();
    },
  };
  /** The rule's event handler around `pred`, the match (or what a route leaves of it, condition.fold.ts). */
  function onEventFor(pred: Predicate) {
    return (ev: Ev, ctx: EngineContext): void => {
      if (single !== null) {
        const v = single(ev);
        if (v === undefined) return;
        const b = ctx.userBaseline(ev.user);
        if (!b || b.weeks < rule.min_history_weeks || known(b).has(v)) return;
      }
      const values = valuesOf(ev);
      if (!values || values.length === 0) return;
      const b = ctx.userBaseline(ev.user);
      if (!b || b.weeks < rule.min_history_weeks) return;
      const set = known(b);
      let fresh: string[] | null = null;
      for (const v of values) {
        if (set.has(v)) continue;
        if (!pred(ev)) return;
        // Keyed by the user's name, not its state object: the engine may evict and recreate that.
        const userKey = `${ev.user.tenant}\u0001${ev.user.user}`;
        let mine = seen.get(userKey);
        if (mine?.has(v)) continue;
        if (!mine) {
          if (seen.size >= MAX_USERS_WITH_NEW_VALUES) seen.delete(seen.keys().next().value!);
          seen.set(userKey, (mine = new Map()));
        }
        if (mine.size >= MAX_NEW_VALUES_PER_USER) mine.delete(mine.keys().next().value!);
        mine.set(v, ev.ts);
        (fresh ??= []).push(v);
      }
      if (!fresh || !ctx.admit(handler, ev.user, ev.ts)) return;
      ctx.emit(makeMatch(rule, ref, [ev], `first ${rule.field} ${fresh.map((v) => JSON.stringify(v)).join(', ')} for this user: ${describeCall(ev)}`));
    };
  }

  return handler;
}
