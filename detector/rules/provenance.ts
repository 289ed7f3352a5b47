// Provenance of values: which recent call's *result* a value in a later call's arguments came from.
//
// Capture sends keyed fingerprints of the values in each call's arguments and result (never the
// values, see schemas/event.v2.ts). For each user the engine remembers the fingerprints of recent
// results together with the flow labels of the call that returned them (a mail or web page is
// `untrusted_content`, a file or database read is `private_data`). A rule step can then ask "did a
// recipient of this send first appear in untrusted content read in the last 15 minutes?" — the
// strongest evidence of prompt injection an audit log has.
import { hasUsedDestination } from './destinations.ts';
import { cutFront } from './array.cut.ts';
import { hash53 } from './hash53.ts';
import type { Ev, UserState } from './rule.types.ts';

/** Labels a source can carry, as bits (a fingerprint may come from several calls). */
export const PROVENANCE_LABELS = ['untrusted_content', 'private_data'] as const;
export type ProvenanceLabel = (typeof PROVENANCE_LABELS)[number];
const BIT: Record<string, number> = { untrusted_content: 1, private_data: 2 };

export function labelMask(labels: readonly string[]): number {
  let m = 0;
  for (let i = 0; i < labels.length; i++) m |= BIT[labels[i]!] ?? 0;
  return m;
}

/** Which sources a search leaves out (the provenance condition's options of the same names). */
export interface FindOptions {
  /** A value that named a party of the source (its sender, recipients) does not count. */
  exceptParties: boolean;
  /** A source that names a party the user has sent to does not count. */
  skipFamiliar: boolean;
  /** A source that names a destination of the searching call among its parties does not count. */
  exceptReplies: boolean;
}

const NO_EXCEPTIONS: FindOptions = { exceptParties: false, skipFamiliar: false, exceptReplies: false };

/** Below this many fingerprints a result is searched as it is; above, through a Set built once. */
const SET_FROM = 24;

/**
 * The recent labelled results of one user: the last `max` calls carrying a provenance label whose
 * result had fingerprints, in event-time order. Two flat arrays hold them, with no object per
 * source, because every read of every user records one and the garbage collector pays for each
 * object it copies and marks:
 * - `refs`: per source, the call, its parties and where its numbers start in `nums`;
 * - `nums`: per source, its event time, its label bits, its value count and then its values (the
 *   result's fingerprints as 53-bit numbers, hash53.ts: 8 bytes each where the strings took about
 *   50, and the event can let go of its strings, event.kept.ts).
 * Recording is O(1) amortized (an out-of-order call is slotted in place); a search walks back from
 * the newest source and stops at the first that holds a value (the most recent) or at the look-back
 * limit, so the cost lands on the rare sinks, not on every read.
 * Forgetting the oldest source moves a start index (`first`); the dead front is cut off once it is
 * as long as the live part. Shifting both arrays on every read instead cost a busy user (1,000
 * calls in half an hour) a copy of the whole store per call: the detector ran 6 times slower.
 */
export class ProvenanceStore {
  // Shared empty arrays until the first source: its record replaces them with arrays sized to it.
  private refs: (Ev | readonly string[] | number | undefined)[] = NO_REFS;
  private nums: number[] = NO_NUMS;
  /** Index in `refs` of the oldest live source; those before it are forgotten. */
  private first = 0;
  /** Sets of the values and parties of large results, built when first searched. */
  private sets: Map<Ev, { values: ReadonlySet<number>; parties: ReadonlySet<string> | undefined }> | null = null;
  private readonly max: number;
  /** Event time of the newest source: kept here so recording does not read the numbers array for it. */
  private newestTs = -Infinity;
  constructor(max: number) {
    this.max = max;
  }

  /** Remembers a call whose result carries fingerprints and a provenance label. */
  record(ev: Ev): void {
    const fingerprints = ev.e.schema_version === 2 ? ev.e.fingerprints : undefined;
    const mask = labelMask(ev.cls.labels);
    if (!fingerprints || fingerprints.result.length === 0 || mask === 0) return;
    const result = fingerprints.result;
    const refs = this.refs;
    if (refs.length > 0 && this.newestTs > ev.ts) return this.insert(ev);
    this.newestTs = ev.ts;
    const at = this.nums.length;
    if (at === 0) {
      // The first source sized to itself: a first push would reserve room for sixteen more.
      this.refs = [ev, fingerprints.parties, 0];
      this.nums = [ev.ts, mask, result.length];
    } else {
      refs.push(ev, fingerprints.parties, at);
      this.nums.push(ev.ts, mask, result.length);
    }
    const nums = this.nums;
    for (let i = 0; i < result.length; i++) nums.push(hash53(result[i]!));
    if (this.refs.length - this.first > 3 * this.max) this.dropOldest();
  }

  /** An out-of-order call: rebuilds both arrays with it in its place (rare: within the lateness). */
  private insert(ev: Ev): void {
    const old = { refs: this.refs, nums: this.nums };
    // The sources before the call are re-recorded first, so record() appends it; the newest stays.
    const newest = this.newestTs;
    const from = this.first;
    this.newestTs = -Infinity;
    this.refs = [];
    this.nums = [];
    this.first = 0;
    let placed = false;
    for (let r = from; r < old.refs.length; r += 3) {
      const start = old.refs[r + 2] as number;
      if (!placed && old.nums[start]! > ev.ts) {
        placed = true;
        this.record(ev);
      }
      const n = old.nums[start + 2]!;
      this.refs.push(old.refs[r], old.refs[r + 1], this.nums.length);
      for (let i = 0; i < n + 3; i++) this.nums.push(old.nums[start + i]!);
    }
    this.newestTs = newest;
    if (this.refs.length > 3 * this.max) this.dropOldest();
  }

  /** Forgets the oldest source; cuts the forgotten front off both arrays once it is half of them. */
  private dropOldest(): void {
    const refs = this.refs;
    const oldest = this.first;
    this.sets?.delete(refs[oldest] as Ev);
    this.first += 3;
    if (2 * this.first < refs.length) {
      refs[oldest] = refs[oldest + 1] = undefined;
      return;
    }
    const cut = refs[this.first + 2] as number;
    cutFront(refs, this.first);
    this.first = 0;
    for (let r = 2; r < refs.length; r += 3) (refs[r] as number) -= cut;
    cutFront(this.nums, cut);
  }

  /**
   * The most recent source of any of `fps` carrying one of `mask`'s labels, no older than `sinceTs`,
   * not the event itself and not left out by `opts`; undefined when none.
   */
  find(fps: readonly string[], mask: number, sinceTs: number, self: Ev, episode: string | null, opts: FindOptions = NO_EXCEPTIONS): Ev | undefined {
    const refs = this.refs;
    const nums = this.nums;
    let values: number[] | undefined;
    for (let r = refs.length - 3; r >= this.first; r -= 3) {
      const start = refs[r + 2] as number;
      const ts = nums[start]!;
      if (ts < sinceTs) return undefined;
      if (ts > self.ts || (nums[start + 1]! & mask) === 0) continue;
      const s = refs[r] as Ev;
      if (s === self || (episode !== null && episodeOf(s) !== episode)) continue;
      const parties = refs[r + 1] as readonly string[] | undefined;
      if (!this.holdsAny(s, start, parties, fps, (values ??= numbersOf(fps)), opts.exceptParties)) continue;
      if (opts.skipFamiliar && namesKnownParty(parties, self.user)) continue;
      if (opts.exceptReplies && namesDestinationOf(parties, self)) continue;
      return s;
    }
    return undefined;
  }

  /**
   * True when the source's result (at `start` in `nums`) holds one of `fps` (given also as
   * `values`, their numbers); with `exceptParties`, not as one of its parties.
   */
  private holdsAny(source: Ev, start: number, parties: readonly string[] | undefined, fps: readonly string[], values: readonly number[], exceptParties: boolean): boolean {
    const nums = this.nums;
    const n = nums[start + 2]!;
    const except = exceptParties ? parties : undefined;
    if (n < SET_FROM && (except === undefined || except.length < SET_FROM)) {
      for (let j = 0; j < fps.length; j++) {
        const v = values[j]!;
        for (let i = start + 3; i < start + 3 + n; i++) {
          if (nums[i] === v) {
            if (!except?.includes(fps[j]!)) return true;
            break;
          }
        }
      }
      return false;
    }
    const sets = (this.sets ??= new Map());
    let set = sets.get(source);
    if (!set) sets.set(source, (set = { values: new Set(nums.slice(start + 3, start + 3 + n)), parties: parties && new Set(parties) }));
    const partySet = exceptParties ? set.parties : undefined;
    for (let j = 0; j < fps.length; j++) if (set.values.has(values[j]!) && !partySet?.has(fps[j]!)) return true;
    return false;
  }

  size(): number {
    return (this.refs.length - this.first) / 3;
  }
}

/** True when one of the call's destinations is a party (sender, recipient) of the source: a reply. */
function namesDestinationOf(parties: readonly string[] | undefined, call: Ev): boolean {
  if (!parties) return false;
  const destinations = fingerprintsOf(call, 'destinations');
  for (let i = 0; i < destinations.length; i++) if (parties.includes(destinations[i]!)) return true;
  return false;
}

/** True when the source names a party (sender, payee...) the user has sent to: in the baseline or since. */
function namesKnownParty(parties: readonly string[] | undefined, user: UserState): boolean {
  if (!parties) return false;
  for (let i = 0; i < parties.length; i++) if (hasUsedDestination(user, parties[i]!)) return true;
  return false;
}

function numbersOf(fps: readonly string[]): number[] {
  const out = new Array<number>(fps.length);
  for (let i = 0; i < fps.length; i++) out[i] = hash53(fps[i]!);
  return out;
}

/** The episode an event belongs to: capture's episode id, else the trace, else the MCP session. */
export function episodeOf(ev: Ev): string {
  const e = ev.e;
  if (e.schema_version === 2 && e.episode) return e.episode.id;
  return e.trace?.trace_id ?? e.mcp.session_id ?? '';
}

/**
 * The values of an event a provenance condition looks at: all its argument values, only its
 * destinations, or its payload: all but its destinations and the values this user sends routinely
 * (baseline `knownSentValues`: a signature in every mail is not content leaving).
 */
export function fingerprintsOf(ev: Ev, where: 'arguments' | 'destinations' | 'payload'): readonly string[] {
  const e = ev.e;
  if (e.schema_version !== 2 || !e.fingerprints) return NONE;
  const { arguments: args, destinations } = e.fingerprints;
  if (where === 'destinations') return destinations;
  if (where === 'arguments') return args;
  const routine = ev.user.baseline?.knownSentValues;
  if (destinations.length === 0 && !routine?.size) return args;
  return args.filter((fp) => !destinations.includes(fp) && !routine?.has(fp));
}

const NONE: readonly string[] = Object.freeze([]);
/** The arrays of a store with no source yet: never written to (record and insert replace them). */
const NO_REFS: (Ev | readonly string[] | number | undefined)[] = [];
const NO_NUMS: number[] = [];
