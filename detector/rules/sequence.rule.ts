// `sequence`: ordered steps by key within `maxspan`, with per-step join keys, a cancelling `until`
// and absence steps.
//
// Per key we keep the partial matches (at most one per stage and join value: a newer start replaces
// an older one, as EQL does, so one chain raises one alert) and a short buffer of the key's relevant
// events. Events in order advance the partials incrementally. An event older than the key's newest
// (but within the allowed lateness) is inserted into the buffer and the key's partials are rebuilt by
// replaying the buffer in event-time order; a completion is raised at most once per completing
// event, so a replay never raises the same chain twice. A user with nothing open has no state: the
// calls that start nothing wait in one ring per rule until the lateness has passed (OrphanRing).
import type { Catalogue } from '../../classify/catalogue.ts';
import { ALWAYS, compileMatch, interestOf, unionInterest, type Predicate } from './condition.ts';
import { matchOnRoute } from './condition.fold.ts';
import { formatDuration } from './duration.ts';
import { FIELDS, valuesOf } from './fields.ts';
import { cutFront } from './array.cut.ts';
import { pruneMap } from './map.prune.ts';
import { compileKey, describeCall, makeMatch, refOf } from './match.ts';
import type { EngineContext, Ev, RuleHandler, UserState } from './rule.types.ts';
import type { SequenceRule } from './rule.schema.ts';

interface Step {
  absent: boolean;
  within: number;
  join: (typeof FIELDS)[string][] | null;
}

interface Partial {
  evs: Ev[];
  /** Event time of evs[0]: the maxspan test reads it on every event without touching that event. */
  start: number;
  /** Index of the next step to satisfy. */
  stage: number;
  join: (readonly string[])[] | null;
  joinKey: string;
  dead: boolean;
  /** For a pending last absence step: event time after which the absence holds. */
  deadline: number;
  state: KeyState;
}

interface KeyState {
  key: string | UserState;
  lastTs: number;
  /**
   * The key's relevant events and their step masks, interleaved (ev, mask, ev, mask...) in event-time
   * order: one array instead of two halves the objects each key holds and touches.
   */
  buf: (Ev | number)[];
  /**
   * Index in `buf` of the oldest live event: those before it are dropped, and the array is cut once
   * they are as many as the rest. Cutting on every drop copied the whole buffer for each event of a
   * busy key whose buffer was full (1,000 calls of a user in half an hour: a fifth of the detector).
   */
  head: number;
  /** Event time of the oldest buffered event (Infinity when empty): pushing checks it without touching that event. */
  bufOldest: number;
  partials: Partial[];
  /**
   * The open start of a rule whose first step has no join: the latest first-step event, waiting for
   * step 2, held here instead of as a Partial (null: none). Most labelled reads of a user restart it,
   * and restarting it then touches this state and nothing else; it becomes a Partial only when the
   * chain moves on.
   */
  open: Ev | null;
  /** Event time of `open`. */
  openStart: number;
  /** Completing event ids already raised (with their event time). */
  emitted: Map<string, number> | null;
}

/**
 * Which steps an event satisfies: `fixed` has the bits of the steps its route always satisfies,
 * `preds` the tests of the others (bit `bits[i]`), `until` the cancelling condition's.
 */
interface StepTests {
  fixed: number;
  bits: number[];
  preds: Predicate[];
  until: Predicate | null;
}

/** Step tests from one predicate per step (false: never on this route, ALWAYS: always). */
function testsOf(steps: readonly (Predicate | false)[], until: Predicate | null): StepTests {
  const t: StepTests = { fixed: 0, bits: [], preds: [], until };
  steps.forEach((p, i) => {
    if (p === ALWAYS) t.fixed |= 1 << i;
    else if (p !== false) {
      t.bits.push(1 << i);
      t.preds.push(p);
    }
  });
  return t;
}

/** Bounds on per-key state: a flood of matching events cannot grow it without limit. */
const MAX_PARTIALS_PER_KEY = 32;
const MAX_BUFFER_PER_KEY = 256;
const UNTIL_BIT = 1 << 30;

export function createSequenceRule(rule: SequenceRule, slot: number, catalogue: Catalogue): RuleHandler {
  const ref = refOf(rule);
  const steps: Step[] = rule.steps.map((s) => ({
    absent: s.absent,
    within: s.within ?? 0,
    join: s.by ? s.by.map((f) => FIELDS[f]!) : null,
  }));
  const keyOf = compileKey(rule.by);
  const maxspan = rule.maxspan;
  const last = steps.length - 1;
  // The open start is held in the key's state (KeyState.open) when any newer start replaces it: no
  // join on the first step, and no timer on its stage (a last absence step right after it).
  const openInState = steps[0]!.join === null && !(last === 1 && steps[1]!.absent);
  const { classes, kinds } = unionInterest([...rule.steps.map((s) => interestOf(s.match, catalogue)), ...(rule.until ? [interestOf(rule.until, catalogue)] : [])]);
  const byKey = new Map<string, KeyState>();
  const orphans = new OrphanRing();
  let timers: Partial[] = [];
  let timerHead = 0;
  let lateness = 0;

  const handler: RuleHandler = {
    ref,
    slot,
    classes,
    kinds,
    windowMs: maxspan + Math.max(0, ...steps.map((s) => s.within)),
    suppressMs: rule.suppress ?? 0,

    onEvent: onEventFor(testsOf(rule.steps.map((st) => compileMatch(st.match)), rule.until ? compileMatch(rule.until) : null)),

    specialize(route) {
      const preds = rule.steps.map((st) => matchOnRoute(st.match, route));
      const until = rule.until ? matchOnRoute(rule.until, route) : false;
      if (until === false && preds.every((p) => p === false)) return null;
      return { ...handler, onEvent: onEventFor(testsOf(preds, until === false ? null : until)) };
    },

    onWatermark(ctx: EngineContext) {
      while (timerHead < timers.length && timers[timerHead]!.deadline < ctx.watermark) {
        const p = timers[timerHead++]!;
        if (!p.dead) complete(p, ctx, true);
      }
      if (timerHead > 1024 && timerHead * 2 > timers.length) {
        timers = timers.slice(timerHead);
        timerHead = 0;
      }
    },

    sweep(beforeTs: number) {
      pruneMap(byKey, (s) => s.lastTs < beforeTs - handler.windowMs);
    },
    keyCount: () => byKey.size,
    reset() {
      byKey.clear();
      orphans.clear();
      timers = [];
      timerHead = 0;
    },
  };

  /** The rule's event handler over the step tests of one route (or of all, before specializing). */
  function onEventFor(tests: StepTests) {
    return (ev: Ev, ctx: EngineContext): void => {
      let mask = tests.fixed | (tests.until !== null && tests.until(ev) ? UNTIL_BIT : 0);
      const { bits, preds } = tests;
      for (let i = 0; i < preds.length; i++) if (preds[i]!(ev)) mask |= bits[i]!;
      if (mask === 0) return;
      lateness = ctx.allowedLatenessMs;
      const key = keyOf(ev);
      let s = stateOf(key);
      if (s === undefined || s === HAS_ORPHANS) {
        // A user with nothing open: a call that starts nothing waits in the rule's ring (OrphanRing).
        if ((mask & 1) === 0 && typeof key !== 'string' && orphans.add(key, ev, mask, ctx.watermark)) {
          key.slots[slot] = HAS_ORPHANS;
          return;
        }
        s = newStateFor(key, s === HAS_ORPHANS);
      }
      if (ev.ts >= s.lastTs) {
        push(s, ev, mask, ctx.watermark);
        s.lastTs = ev.ts;
        advance(s, ev, mask, ctx);
      } else if (ev.ts >= ctx.watermark) {
        // Out of order, within the allowed lateness: rebuild the key's partials in event-time order.
        insertSorted(s, ev, mask);
        for (const p of s.partials) p.dead = true;
        s.partials = NO_PARTIALS;
        s.open = null;
        const buf = s.buf;
        for (let i = s.head; i < buf.length; i += 2) advance(s, buf[i] as Ev, buf[i + 1] as number, ctx);
      } else {
        // Later than the allowed lateness: best effort, as if it had arrived in order.
        insertSorted(s, ev, mask);
        advance(s, ev, mask, ctx);
      }
    };
  }

  function stateOf(key: string | UserState): KeyState | undefined {
    return typeof key === 'string' ? byKey.get(key) : (key.slots[slot] as KeyState | undefined);
  }

  /**
   * A new state for `key`, holding what the user's orphans (if it may have some) would have left in
   * it: they are put into its buffer as they would have been on arrival (each with the watermark of
   * then), in arrival order.
   */
  function newStateFor(key: string | UserState, hasOrphans: boolean): KeyState {
    const s = newState(key);
    if (typeof key === 'string') byKey.set(key, s);
    else key.slots[slot] = s;
    if (!hasOrphans || typeof key === 'string') return s;
    orphans.take(key, (ev, mask, watermark) => {
      if (ev.ts >= s.lastTs) {
        push(s, ev, mask, watermark);
        s.lastTs = ev.ts;
      } else insertSorted(s, ev, mask);
    });
    return s;
  }

  function newState(key: string | UserState): KeyState {
    // Shared empty arrays until the key holds something: most keys of a rule are made by a user's first
    // event, and each would otherwise allocate two arrays that its first push replaces.
    return { key, lastTs: -Infinity, buf: NO_EVENTS, head: 0, bufOldest: Infinity, partials: NO_PARTIALS, open: null, openStart: 0, emitted: null };
  }

  /**
   * Keeps the buffer to what a replay can still need: maxspan plus lateness, and a count cap. And
   * from its front, events that satisfy no first step and are older than the watermark: no chain in
   * the buffer starts before them, and a first step that comes later cannot be older than the
   * watermark and still be replayed. So a sink nobody read from waits for the lateness, not for the
   * whole maxspan (most buffered events of a rule like inject.instructions-then-action were such).
   */
  function push(s: KeyState, ev: Ev, mask: number, watermark: number): void {
    const buf = s.buf;
    if (buf.length === 0) {
      // Most keys hold one or two events: a literal is sized to them, where a first push would
      // reserve room for sixteen.
      s.buf = [ev, mask];
      s.bufOldest = ev.ts;
      return;
    }
    buf.push(ev, mask);
    const horizon = ev.ts - handler.windowMs - lateness;
    let head = s.head;
    if (s.bufOldest < horizon) while (head < buf.length && (buf[head] as Ev).ts < horizon) head += 2;
    while (head < buf.length && ((buf[head + 1] as number) & 1) === 0 && (buf[head] as Ev).ts < watermark) head += 2;
    if (buf.length - head > 2 * MAX_BUFFER_PER_KEY) head = buf.length - 2 * MAX_BUFFER_PER_KEY;
    if (head !== s.head) dropBefore(s, head);
  }

  function insertSorted(s: KeyState, ev: Ev, mask: number): void {
    if (s.buf === NO_EVENTS) s.buf = [];
    const buf = s.buf;
    let i = buf.length;
    while (i > s.head && (buf[i - 2] as Ev).ts > ev.ts) i -= 2;
    buf.splice(i, 0, ev, mask);
    if (buf.length - s.head > 2 * MAX_BUFFER_PER_KEY) dropBefore(s, s.head + 2);
    else s.bufOldest = (buf[s.head] as Ev).ts;
  }

  /** Drops the buffered events before index `head`: the array is cut once they are half of it; until then their slots let go of their events. */
  function dropBefore(s: KeyState, head: number): void {
    const buf = s.buf;
    if (2 * head >= buf.length) {
      cutFront(buf, head);
      head = 0;
    } else for (let i = s.head; i < head; i++) buf[i] = 0;
    s.head = head;
    s.bufOldest = head < buf.length ? (buf[head] as Ev).ts : Infinity;
  }

  function advance(s: KeyState, ev: Ev, mask: number, ctx: EngineContext): void {
    const partials = s.partials;
    if (mask & UNTIL_BIT) {
      // The cancelling event drops every partial match that started at or before it.
      for (const p of partials) if (p.start <= ev.ts) p.dead = true;
      if (s.open !== null && s.openStart <= ev.ts) s.open = null;
    }
    const n = partials.length;
    for (let i = 0; i < n; i++) {
      const p = partials[i]!;
      if (p.dead) continue;
      if (ev.ts - p.start > maxspan && !(p.stage === last && steps[last]!.absent)) {
        p.dead = true;
        continue;
      }
      const st = steps[p.stage]!;
      if (st.absent) {
        if (mask & (1 << p.stage) && joinValues(p.join, st, ev) !== null) {
          p.dead = true;
        } else if (p.stage < last && mask & (1 << (p.stage + 1))) {
          const j = joinValues(p.join, steps[p.stage + 1]!, ev);
          if (j !== null) moveTo(p, p.stage + 2, ev, j, ctx);
        }
      } else if (mask & (1 << p.stage)) {
        const j = joinValues(p.join, st, ev);
        if (j !== null) moveTo(p, p.stage + 1, ev, j, ctx);
      }
    }
    // The open start is the newest partial: it moves on after the others, as it would in the list.
    if (s.open !== null) advanceOpen(s, ev, mask, ctx);
    if (mask & 1) {
      if (openInState) {
        // A newer start replaces the older one (one chain, one alert).
        s.open = ev;
        s.openStart = ev.ts;
      } else {
        const first = steps[0]!;
        const join = first.join ? first.join.map((d) => valuesOf(d, ev)) : null;
        if (!join || join.every((v) => v.length > 0)) {
          const p = newPartial(s, [ev], ev.ts);
          enter(p, 1, ev, join, ctx);
        }
      }
    }
    // Compact: drop finished partials; keep the newest when over the cap.
    const all = s.partials;
    let w = 0;
    for (let i = 0; i < all.length; i++) if (!all[i]!.dead) all[w++] = all[i]!;
    if (w !== all.length) all.length = w;
    if (w > MAX_PARTIALS_PER_KEY) {
      for (const p of all.splice(0, w - MAX_PARTIALS_PER_KEY)) p.dead = true;
    }
  }

  /** Step 2 for the open start held in the key's state: it expires, is cancelled by an absence, or moves on as a Partial. */
  function advanceOpen(s: KeyState, ev: Ev, mask: number, ctx: EngineContext): void {
    if (ev.ts - s.openStart > maxspan) {
      s.open = null;
      return;
    }
    const st = steps[1]!;
    let stage = 0;
    let j: (readonly string[])[] | null = null;
    if (st.absent) {
      if (mask & 2 && joinValues(null, st, ev) !== null) s.open = null;
      else if (mask & 4 && (j = joinValues(null, steps[2]!, ev)) !== null) stage = 3;
    } else if (mask & 2 && (j = joinValues(null, st, ev)) !== null) stage = 2;
    if (stage === 0) return;
    const p = newPartial(s, [s.open!, ev], s.openStart);
    s.open = null;
    enter(p, stage, ev, j, ctx);
  }

  /** A partial match of `s` holding `evs` (listed in the key's partials), at stage 0 until it enters one. */
  function newPartial(s: KeyState, evs: Ev[], start: number): Partial {
    const p: Partial = { evs, start, stage: 0, join: null, joinKey: '', dead: false, deadline: 0, state: s };
    // A sized literal for the first partial of a key.
    if (s.partials.length === 0) s.partials = [p];
    else s.partials.push(p);
    return p;
  }

  /** The join binding after `ev` satisfies `step` for a partial bound to `have` (null: the join fails). */
  function joinValues(have: (readonly string[])[] | null, step: Step, ev: Ev): (readonly string[])[] | null {
    if (!step.join) return have ?? EMPTY_JOIN;
    const vals = step.join.map((d) => valuesOf(d, ev));
    if (!have || have === EMPTY_JOIN) return vals.every((v) => v.length > 0) ? vals : null;
    const out: (readonly string[])[] = [];
    for (let i = 0; i < vals.length; i++) {
      const had = have[i] ?? [];
      const both = vals[i]!.filter((v) => had.includes(v));
      if (both.length === 0) return null;
      out.push(both);
    }
    return out;
  }

  function moveTo(p: Partial, stage: number, ev: Ev, join: (readonly string[])[] | null, ctx: EngineContext): void {
    // A partial is never shared (matches copy its events), so it grows in place.
    p.evs.push(ev);
    enter(p, stage, ev, join, ctx);
  }

  /** `p` (whose events now end with `ev`) reaches `stage`: completes it or keeps the tightest chain per stage. */
  function enter(p: Partial, stage: number, ev: Ev, join: (readonly string[])[] | null, ctx: EngineContext): void {
    p.stage = stage;
    if (join !== p.join) {
      p.join = join;
      p.joinKey = join && join !== EMPTY_JOIN ? join.map((v) => [...v].sort().join(',')).join('|') : '';
    }
    if (stage > last) {
      complete(p, ctx, false);
      return;
    }
    // One partial per (stage, join value): the one that started latest is the tightest chain.
    for (const q of p.state.partials) {
      if (q === p || q.dead || q.stage !== stage || q.joinKey !== p.joinKey) continue;
      if (q.start > p.start) {
        p.dead = true;
        return;
      }
      q.dead = true;
    }
    if (stage === last && steps[last]!.absent) {
      p.deadline = ev.ts + steps[last]!.within;
      addTimer(p);
    }
  }

  function addTimer(p: Partial): void {
    timers.push(p);
    let i = timers.length - 1;
    while (i > timerHead && timers[i - 1]!.deadline > p.deadline) {
      timers[i] = timers[i - 1]!;
      i--;
    }
    timers[i] = p;
  }

  function complete(p: Partial, ctx: EngineContext, byAbsence: boolean): void {
    p.dead = true;
    const s = p.state;
    const lastEv = p.evs[p.evs.length - 1]!;
    const id = byAbsence ? `${lastEv.e.event_id}#absent` : lastEv.e.event_id;
    if (s.emitted === null) s.emitted = new Map();
    else if (s.emitted.has(id)) return;
    s.emitted.set(id, lastEv.ts);
    if (s.emitted.size > 64) {
      pruneMap(s.emitted, (ts) => ts < lastEv.ts - handler.windowMs - lateness);
    }
    if (!ctx.admit(handler, s.key, lastEv.ts)) return;
    const span = lastEv.ts - p.start;
    const chain = p.evs.map(describeCall).join(' -> ');
    const detail = byAbsence
      ? `${chain}, not followed by the expected step within ${formatDuration(steps[last]!.within)}`
      : `${chain} within ${formatDuration(span)}`;
    ctx.emit(makeMatch(rule, ref, p.evs, detail));
  }

  return handler;
}

const EMPTY_JOIN: (readonly string[])[] = [];

/**
 * Stands in for the state of a user that has orphans in the ring (or had: they may have left it), so
 * that making a user's state searches the ring only for such users. Never written to.
 */
const HAS_ORPHANS: KeyState = { key: '', lastTs: -Infinity, buf: [], head: 0, bufOldest: Infinity, partials: [], open: null, openStart: 0, emitted: null };

/** Orphans held at most per rule; past it, calls get a user state again until the watermark frees the ring. */
const MAX_ORPHANS = 65_536;

/**
 * Orphans: calls of users with no state for a per-user rule that satisfy no first step (a send by a
 * user who read no credential, for approval.write-after-secret-read), held in one ring per rule
 * instead of a state and a buffer per user. Such a call only matters if a first step of its user
 * arrives later with an earlier event time, within the lateness; the user's state is then made, and
 * takes its orphans as its buffer would have held them (newStateFor). Orphans older than the
 * watermark leave from the front: a first step still to come is not older than the watermark, so
 * none can precede them. (A call later than the allowed lateness is matched best effort, as before;
 * it may then miss an orphan a buffer would still have held.) Rules keyed by other fields keep a
 * state per key as before: their keys are swept, and the ring would have to be searched per key.
 */
class OrphanRing {
  private keys: (UserState | null)[] = [];
  private evs: Ev[] = [];
  /** Per orphan: its step mask and the watermark when it arrived. */
  private nums: number[] = [];
  private head = 0;

  /** False when the ring is full (the caller keeps the call in a key state instead). */
  add(key: UserState, ev: Ev, mask: number, watermark: number): boolean {
    this.trim(watermark);
    if (this.keys.length - this.head >= MAX_ORPHANS) return false;
    this.keys.push(key);
    this.evs.push(ev);
    this.nums.push(mask, watermark);
    return true;
  }

  /** Drops orphans from the front that are older than the watermark (or taken). */
  private trim(watermark: number): void {
    const { keys, evs } = this;
    let h = this.head;
    while (h < keys.length && (keys[h] === null || evs[h]!.ts < watermark)) h++;
    if (h === this.head) return;
    if (h === keys.length) return this.clear();
    // The dead front is cut off once it is as long as the live part.
    if (2 * h >= keys.length) {
      cutFront(keys, h);
      cutFront(evs, h);
      cutFront(this.nums, 2 * h);
      h = 0;
    } else for (let i = this.head; i < h; i++) keys[i] = null;
    this.head = h;
  }

  /** Hands `key`'s orphans to `f` in arrival order and forgets them. */
  take(key: UserState, f: (ev: Ev, mask: number, watermark: number) => void): void {
    const { keys, evs, nums } = this;
    for (let i = this.head; i < keys.length; i++) {
      if (keys[i] !== key) continue;
      keys[i] = null;
      f(evs[i]!, nums[2 * i]!, nums[2 * i + 1]!);
    }
  }

  clear(): void {
    this.keys = [];
    this.evs = [];
    this.nums = [];
    this.head = 0;
  }
}
/** The buffer and partial list of a key that has none yet: never written to (push and newPartial replace them). */
const NO_EVENTS: (Ev | number)[] = [];
const NO_PARTIALS: Partial[] = [];
