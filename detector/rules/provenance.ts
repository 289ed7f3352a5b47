// Provenance of values: which recent call's *result* a value in a later call's arguments came from.
//
// Capture sends keyed fingerprints of the values in each call's arguments and result (never the
// values, see schemas/event.v2.ts). For each user the engine remembers the fingerprints of recent
// results together with the flow labels of the call that returned them (a mail or web page is
// `untrusted_content`, a file or database read is `private_data`). A rule step can then ask "did a
// recipient of this send first appear in untrusted content read in the last 15 minutes?" — the
// strongest evidence of prompt injection an audit log has.
import { hasUsedDestination } from './destinations.ts';
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

/** One remembered result: the call, its label bits, and (built on first need) its values as sets. */
interface Source {
  ev: Ev;
  /** Copied from the call: a search reads it for every source, and one hop is cheaper than two. */
  ts: number;
  mask: number;
  /**
   * The result's fingerprints as 53-bit numbers (hash53.ts): 8 bytes each in a number array where
   * the strings took about 50, and the event can let go of its strings (event.kept.ts).
   */
  result: number[];
  parties: readonly string[] | undefined;
  valueSet: ReadonlySet<number> | undefined;
  partySet: ReadonlySet<string> | undefined;
}

/**
 * The recent labelled results of one user: the last `max` calls carrying a provenance label whose
 * result had fingerprints, in event-time order. Recording is O(1) (an out-of-order call is slotted
 * in place) and allocates nothing per fingerprint; a search walks back from the newest source and
 * stops at the first that holds a value (the most recent) or at the look-back limit, so the cost
 * lands on the rare sinks, not on every read.
 */
export class ProvenanceStore {
  private readonly sources: Source[] = [];
  private readonly max: number;
  constructor(max: number) {
    this.max = max;
  }

  /** Remembers a call whose result carries fingerprints and a provenance label. */
  record(ev: Ev): void {
    const fingerprints = ev.e.schema_version === 2 ? ev.e.fingerprints : undefined;
    const mask = labelMask(ev.cls.labels);
    if (!fingerprints || fingerprints.result.length === 0 || mask === 0) return;
    const source: Source = { ev, ts: ev.ts, mask, result: numbersOf(fingerprints.result), parties: fingerprints.parties, valueSet: undefined, partySet: undefined };
    const list = this.sources;
    let at = list.length;
    while (at > 0 && list[at - 1]!.ts > ev.ts) at--;
    if (at === list.length) list.push(source);
    else list.splice(at, 0, source);
    if (list.length > this.max) list.shift();
  }

  /**
   * The most recent source of any of `fps` carrying one of `mask`'s labels, no older than `sinceTs`,
   * not the event itself and not left out by `opts`; undefined when none.
   */
  find(fps: readonly string[], mask: number, sinceTs: number, self: Ev, episode: string | null, opts: FindOptions = NO_EXCEPTIONS): Ev | undefined {
    const list = this.sources;
    let values: number[] | undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      const source = list[i]!;
      if (source.ts < sinceTs) return undefined;
      if (source.ts > self.ts || (source.mask & mask) === 0) continue;
      const s = source.ev;
      if (s === self || (episode !== null && episodeOf(s) !== episode)) continue;
      if (!holdsAny(source, fps, (values ??= numbersOf(fps)), opts.exceptParties)) continue;
      if (opts.skipFamiliar && namesKnownParty(source, self.user)) continue;
      if (opts.exceptReplies && namesDestinationOf(source, self)) continue;
      return s;
    }
    return undefined;
  }

  size(): number {
    return this.sources.length;
  }
}

/** True when one of the call's destinations is a party (sender, recipient) of the source: a reply. */
function namesDestinationOf(source: Source, call: Ev): boolean {
  const parties = source.parties;
  if (!parties) return false;
  const destinations = fingerprintsOf(call, 'destinations');
  for (let i = 0; i < destinations.length; i++) if (parties.includes(destinations[i]!)) return true;
  return false;
}

/** True when the source names a party (sender, payee...) the user has sent to: in the baseline or since. */
function namesKnownParty(source: Source, user: UserState): boolean {
  const parties = source.parties;
  if (!parties) return false;
  for (let i = 0; i < parties.length; i++) if (hasUsedDestination(user, parties[i]!)) return true;
  return false;
}

/**
 * True when the source's result holds one of `fps` (given also as `values`, their numbers); with
 * `exceptParties`, not as one of its parties.
 */
function holdsAny(source: Source, fps: readonly string[], values: readonly number[], exceptParties: boolean): boolean {
  const result = source.result;
  const parties = exceptParties ? source.parties : undefined;
  if (result.length < SET_FROM && (parties === undefined || parties.length < SET_FROM)) {
    for (let j = 0; j < fps.length; j++) if (result.includes(values[j]!) && !parties?.includes(fps[j]!)) return true;
    return false;
  }
  const valueSet = (source.valueSet ??= new Set(result));
  const partySet = parties === undefined ? undefined : (source.partySet ??= new Set(parties));
  for (let j = 0; j < fps.length; j++) if (valueSet.has(values[j]!) && !partySet?.has(fps[j]!)) return true;
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
