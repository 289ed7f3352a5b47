// Compiles rule conditions (rule.schema.ts `match`) into plain predicates once, at load time, and
// works out which event kinds and capability classes a match can accept, so the engine only hands
// each event to the rules that could possibly match it.
import picomatch from 'picomatch';
import type { Catalogue } from '../../classify/catalogue.ts';
import { FIELDS, type FieldValue } from './fields.ts';
import type { Ev } from './rule.types.ts';
import { hasNovelDestination } from './destinations.ts';
import { episodeOf, fingerprintsOf, labelMask, ProvenanceStore, type FindOptions } from './provenance.ts';
import type { Condition, Match, ProvenanceCondition } from './rule.schema.ts';

export type Predicate = (ev: Ev) => boolean;
type ValuePredicate = (v: FieldValue) => boolean;

export const ALWAYS: Predicate = () => true;

export function compileMatch(m: Match | undefined): Predicate {
  if (!m) return ALWAYS;
  // Cheapest first: field tests read a property, novelty looks up a few destinations, provenance
  // scans the user's recent results. A call that fails a cheap test never pays for the dear ones.
  const costed: { cost: number; p: Predicate }[] = [];
  for (const [key, cond] of Object.entries(m)) {
    if (cond === undefined) continue;
    if (key === 'any') {
      const subs = (cond as Match[]).map(compileMatch);
      // One alternative (often all a route leaves, condition.fold.ts) is tested directly.
      const only = subs.length === 1 ? subs[0]! : null;
      costed.push({ cost: costOf(cond as Match[]), p: only ?? ((ev) => anyHolds(subs, ev)) });
    } else if (key === 'none') {
      const subs = (cond as Match[]).map(compileMatch);
      const only = subs.length === 1 ? subs[0]! : null;
      costed.push({ cost: costOf(cond as Match[]), p: only ? (ev) => !only(ev) : (ev) => !anyHolds(subs, ev) });
    } else if (key === 'provenance') {
      costed.push({ cost: 3, p: compileProvenance(cond as ProvenanceCondition) });
    } else if (key === 'novel_destination') {
      const want = cond as boolean;
      costed.push({ cost: 2, p: want ? hasNovelDestination : (ev) => !hasNovelDestination(ev) });
    } else {
      costed.push({ cost: 0, p: fieldPredicate(FIELDS[key]!, cond as Condition) });
    }
  }
  const parts = costed.sort((a, b) => a.cost - b.cost).map((c) => c.p);
  if (parts.length === 0) return ALWAYS;
  if (parts.length === 1) return parts[0]!;
  if (parts.length === 2) {
    const [a, b] = parts as [Predicate, Predicate];
    return (ev) => a(ev) && b(ev);
  }
  return (ev) => {
    for (let i = 0; i < parts.length; i++) if (!parts[i]!(ev)) return false;
    return true;
  };
}

/**
 * A test of one field. The common forms (a value, a list of values) read the field and answer in
 * one step; the general form goes through the compiled value test.
 */
export function fieldPredicate(def: (typeof FIELDS)[string], cond: Condition): Predicate {
  const get = def.get;
  const scalar = (c: unknown) => typeof c === 'string' || typeof c === 'number' || typeof c === 'boolean';
  if (scalar(cond)) {
    if (!def.array) return (ev) => get(ev) === cond;
    return (ev) => {
      const xs = get(ev) as readonly unknown[] | undefined;
      return xs !== undefined && xs.includes(cond);
    };
  }
  if (Array.isArray(cond) && !def.array && cond.every(scalar)) {
    const set = new Set<unknown>(cond);
    return (ev) => set.has(get(ev));
  }
  const vp = compileCondition(cond, def.array, def.name ?? false);
  return (ev) => vp(get(ev));
}

/** A plain loop: `subs.some((p) => p(ev))` would allocate a closure on every event. */
function anyHolds(subs: readonly Predicate[], ev: Ev): boolean {
  for (let i = 0; i < subs.length; i++) if (subs[i]!(ev)) return true;
  return false;
}

/** How dear a list of alternatives is to test: its dearest condition (fields 0.5, novelty 2, provenance 3). */
function costOf(ms: readonly Match[]): number {
  let cost = 0.5;
  for (const m of ms) {
    if (m.provenance) cost = Math.max(cost, 3);
    if (m.novel_destination !== undefined) cost = Math.max(cost, 2);
    if (m.any) cost = Math.max(cost, costOf(m.any));
    if (m.none) cost = Math.max(cost, costOf(m.none));
  }
  return cost;
}

/** True when a value of the call came from a recent labelled result; remembers that source on `ev`. */
function compileProvenance(c: ProvenanceCondition): Predicate {
  const mask = labelMask(Array.isArray(c.from) ? c.from : [c.from]);
  const opts: FindOptions = { exceptParties: c.except_parties, skipFamiliar: c.skip_familiar, exceptReplies: c.except_replies };
  return (ev) => {
    const store: ProvenanceStore | null = ev.user.prov;
    if (store === null) return false;
    const fps = fingerprintsOf(ev, c.in);
    if (fps.length === 0) return false;
    const source = store.find(fps, mask, ev.ts - c.within, ev, c.same_episode ? episodeOf(ev) : null, opts);
    if (source === undefined) return false;
    ev.origin = source;
    return true;
  };
}

/** For multi-valued fields an element test holds when any element passes it. */
function elementwise(test: (x: string | number | boolean) => boolean, array: boolean): ValuePredicate {
  if (!array) return (v) => v !== undefined && test(v as string | number | boolean);
  return (v) => {
    if (v === undefined) return false;
    const xs = v as readonly string[];
    for (let i = 0; i < xs.length; i++) if (test(xs[i]!)) return true;
    return false;
  };
}

function compileCondition(cond: Condition, array: boolean, isName: boolean): ValuePredicate {
  if (typeof cond !== 'object') return elementwise((x) => x === cond, array);
  if (Array.isArray(cond)) {
    const set = new Set<unknown>(cond);
    return elementwise((x) => set.has(x), array);
  }
  const tests: ValuePredicate[] = [];
  if (cond.eq !== undefined) tests.push(compileCondition(cond.eq, array, isName));
  if (cond.glob !== undefined) {
    const glob = picomatch(cond.glob, { nocase: true, dot: true, basename: isName });
    // Names (servers, tools, clients) repeat endlessly: remember their answers (bounded).
    const memo = isName ? new Map<string, boolean>() : null;
    const isMatch = (x: string): boolean => {
      if (memo === null) return glob(x.includes('\\') ? x.replaceAll('\\', '/') : x);
      let r = memo.get(x);
      if (r === undefined) {
        if (memo.size >= 10_000) memo.clear();
        memo.set(x, (r = glob(x)));
      }
      return r;
    };
    tests.push(elementwise((x) => typeof x === 'string' && isMatch(x), array));
  }
  if (cond.regex !== undefined) {
    const re = new RegExp(cond.regex, 'i');
    tests.push(elementwise((x) => typeof x === 'string' && re.test(x), array));
  }
  const num = (f: (x: number) => boolean) => elementwise((x) => typeof x === 'number' && f(x), array);
  if (cond.gt !== undefined) { const c = cond.gt; tests.push(num((x) => x > c)); }
  if (cond.gte !== undefined) { const c = cond.gte; tests.push(num((x) => x >= c)); }
  if (cond.lt !== undefined) { const c = cond.lt; tests.push(num((x) => x < c)); }
  if (cond.lte !== undefined) { const c = cond.lte; tests.push(num((x) => x <= c)); }
  if (cond.exists !== undefined) {
    const want = cond.exists;
    tests.push((v) => (v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0)) === want);
  }
  if (cond.not !== undefined) {
    const inner = compileCondition(cond.not, array, isName);
    tests.push((v) => !inner(v));
  }
  if (tests.length === 1) return tests[0]!;
  return (v) => tests.every((t) => t(v));
}

/** The classes and event kinds a match can accept (null: cannot be narrowed). */
export interface Interest {
  classes: Set<string> | null;
  kinds: Set<string> | null;
}

export function interestOf(m: Match | undefined, catalogue: Catalogue): Interest {
  if (!m) return { classes: null, kinds: null };
  let classes: Set<string> | null = null;
  let kinds: Set<string> | null = null;
  const narrow = (current: Set<string> | null, next: Set<string>) => (current === null ? next : new Set([...current].filter((x) => next.has(x))));
  const plain = (c: unknown): string[] | null => {
    if (typeof c === 'string') return [c];
    if (Array.isArray(c) && c.every((x) => typeof x === 'string')) return c as string[];
    if (c && typeof c === 'object' && !Array.isArray(c) && Object.keys(c).length === 1 && 'eq' in c) return plain((c as { eq: unknown }).eq);
    return null;
  };
  const cls = plain(m['tool.class']);
  if (cls) classes = narrow(classes, new Set(cls));
  const labels = plain(m.labels);
  if (labels) classes = narrow(classes, classesWithAnyLabel(catalogue, labels));
  const kind = plain(m.kind);
  if (kind) kinds = narrow(kinds, new Set(kind));
  if (m.any && (!classes || !kinds)) {
    // Every alternative must be narrowable for the union to narrow.
    const subs = m.any.map((s) => interestOf(s, catalogue));
    if (!classes && subs.every((s) => s.classes)) classes = new Set(subs.flatMap((s) => [...s.classes!]));
    if (!kinds && subs.every((s) => s.kinds)) kinds = new Set(subs.flatMap((s) => [...s.kinds!]));
  }
  return { classes, kinds };
}

/** Union of interests (a rule with several matches accepts what any of them accepts). */
export function unionInterest(parts: readonly Interest[]): Interest {
  const all = (pick: (i: Interest) => Set<string> | null) =>
    parts.some((p) => pick(p) === null) ? null : new Set(parts.flatMap((p) => [...pick(p)!]));
  return { classes: all((p) => p.classes), kinds: all((p) => p.kinds) };
}

/** Every class whose classification can carry one of `labels` under this catalogue. */
export function classesWithAnyLabel(catalogue: Catalogue, labels: readonly string[]): Set<string> {
  const want = new Set(labels);
  const out = new Set<string>();
  for (const [cls, ls] of catalogue.classLabels) if (ls.some((l) => want.has(l))) out.add(cls);
  for (const t of catalogue.tools) {
    if (!t.labels.some((l) => want.has(l))) continue;
    out.add(t.class);
    for (const r of catalogue.refine) if (r.from.has(t.class)) out.add(r.class);
  }
  for (const r of catalogue.refine) if (r.labels.some((l) => want.has(l))) out.add(r.class);
  return out;
}
