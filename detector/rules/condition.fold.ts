// Decides once per engine route what a rule condition says about the route's events. Every event
// of a route has the same kind and classification (RouteFacts), so a condition on `kind`,
// `tool.class`, `tool.inferred` or `labels` (fields.ts `fixed`) holds for all of them or for none.
// Folding those out leaves the tests that depend on the event itself; a rule none of whose
// conditions can hold on a route is not called for its events at all. Most calls of most rules
// ended at such a test, so this removes work the engine did on every event.
import { ALWAYS, compileMatch, fieldPredicate, type Predicate } from './condition.ts';
import { FIELDS, VARIES } from './fields.ts';
import type { Ev, RouteFacts, RuleHandler } from './rule.types.ts';
import type { Condition, Match } from './rule.schema.ts';

/**
 * `m` on the route's events: true or false when the route decides it, else the conditions it
 * leaves (the same object when the route decides none of them).
 */
export function foldMatch(m: Match | undefined, route: RouteFacts): Match | boolean {
  if (!m) return true;
  const rest: Match = {};
  let changed = false;
  for (const [key, cond] of Object.entries(m)) {
    if (cond === undefined) continue;
    // A condition's own value can be a boolean (`novel_destination: true`), so what the route
    // decides comes back as DECIDED_TRUE / DECIDED_FALSE, never as a bare boolean.
    let folded: Match[keyof Match] | Decided;
    if (key === 'any') folded = decided(foldAny(cond as Match[], route));
    else if (key === 'none') {
      // None of the alternatives may hold: one the route makes hold fails the whole match.
      const any = foldAny(cond as Match[], route);
      folded = any === true || (Array.isArray(any) && isEmpty(any[any.length - 1]!)) ? DECIDED_FALSE : any === false ? DECIDED_TRUE : any;
    } else folded = foldField(key, cond as Condition, route);
    if (folded === DECIDED_FALSE) return false;
    if (folded === DECIDED_TRUE) changed = true;
    else {
      if (folded !== cond) changed = true;
      rest[key] = folded;
    }
  }
  if (!changed) return m;
  return Object.keys(rest).length === 0 ? true : rest;
}

/**
 * Alternatives on the route: true when the first that can hold always holds, false when none can.
 * Alternatives before an always-true one are kept, with an empty match (always true) after them,
 * because a provenance test among them still names the value's source when it holds.
 */
function foldAny(subs: readonly Match[], route: RouteFacts): Match[] | boolean {
  const kept: Match[] = [];
  let changed = false;
  for (const sub of subs) {
    const f = foldMatch(sub, route);
    if (f === false) {
      changed = true;
      continue;
    }
    if (f === true) {
      if (kept.length === 0) return true;
      kept.push({});
      return kept;
    }
    if (f !== sub) changed = true;
    kept.push(f);
  }
  if (kept.length === 0) return false;
  return changed ? kept : (subs as Match[]);
}

const isEmpty = (m: Match): boolean => Object.keys(m).length === 0;

const DECIDED_TRUE: unique symbol = Symbol('decided true');
const DECIDED_FALSE: unique symbol = Symbol('decided false');
type Decided = typeof DECIDED_TRUE | typeof DECIDED_FALSE;

const decided = (f: Match[] | boolean): Match[] | Decided => (f === true ? DECIDED_TRUE : f === false ? DECIDED_FALSE : f);

/** A field condition on the route's events; provenance and novelty (not fields) stay as they are. */
function foldField(key: string, cond: Condition, route: RouteFacts): Condition | Decided {
  const def = FIELDS[key];
  const value = def?.fixed?.(route) ?? VARIES;
  if (value === VARIES) return cond;
  return fieldPredicate({ ...def!, get: () => value }, cond)(NO_EVENT) ? DECIDED_TRUE : DECIDED_FALSE;
}

/** Fixed fields are read from the route, never from the event. */
const NO_EVENT = {} as Ev;

/** The predicate of `m` on the route's events, or false when none of them can match. */
export function matchOnRoute(m: Match | undefined, route: RouteFacts): Predicate | false {
  const f = foldMatch(m, route);
  return f === false ? false : f === true ? ALWAYS : compileMatch(f);
}

/**
 * The common `specialize` of a rule with one match: null when the route rules the match out, the
 * handler itself when the route decides nothing, else a copy whose event handler tests only what
 * is left. `onEventFor` makes the rule's event handler around a given test.
 */
export function specializeByMatch(handler: RuleHandler, m: Match | undefined, route: RouteFacts, onEventFor: (pred: Predicate) => RuleHandler['onEvent']): RuleHandler | null {
  const f = foldMatch(m, route);
  if (f === false) return null;
  if (f === m) return handler;
  return { ...handler, onEvent: onEventFor(f === true ? ALWAYS : compileMatch(f)) };
}
