// Provenance of values: which recent call's *result* a value in a later call's arguments came from.
//
// Capture sends keyed fingerprints of the values in each call's arguments and result (never the
// values, see schemas/event.v2.ts). For each user the engine remembers the fingerprints of recent
// results together with the flow labels of the call that returned them (a mail or web page is
// `untrusted_content`, a file or database read is `private_data`). A rule step can then ask "did a
// recipient of this send first appear in untrusted content read in the last 15 minutes?" — the
// strongest evidence of prompt injection an audit log has.
import type { Ev } from './rule.types.ts';

/** Labels a source can carry, as bits (a fingerprint may come from several calls). */
export const PROVENANCE_LABELS = ['untrusted_content', 'private_data'] as const;
export type ProvenanceLabel = (typeof PROVENANCE_LABELS)[number];
const BIT: Record<string, number> = { untrusted_content: 1, private_data: 2 };

export function labelMask(labels: readonly string[]): number {
  let m = 0;
  for (const l of labels) m |= BIT[l] ?? 0;
  return m;
}

/**
 * The recent labelled results of one user: the last `max` calls carrying a provenance label whose
 * result had fingerprints, oldest first. Recording is O(1) and allocates nothing per fingerprint;
 * a call's fingerprints are put in a Set only when a later condition first asks about that call
 * (most reads are never asked about), so the cost lands on the rare sinks, not on every read.
 */
export class ProvenanceStore {
  /** Oldest first; `values` and `parties` are filled the first time a condition asks about the call. */
  private readonly sources: { ev: Ev; values?: Set<string>; parties?: Set<string> }[] = [];
  private readonly max: number;
  constructor(max: number) {
    this.max = max;
  }

  /** Remembers a call whose result carries fingerprints and a provenance label. */
  record(ev: Ev): void {
    const fps = ev.e.schema_version === 2 ? ev.e.fingerprints?.result : undefined;
    if (!fps || fps.length === 0 || labelMask(ev.cls.labels) === 0) return;
    this.sources.push({ ev });
    if (this.sources.length > this.max) this.sources.shift();
  }

  /**
   * The most recent source of any of `fps` carrying one of `mask`'s labels, no older than `sinceTs`
   * and not the event itself (with `exceptParties`, a value that named a party of the source does not
   * count); undefined when none.
   */
  find(fps: readonly string[], mask: number, sinceTs: number, self: Ev, episode: string | null, exceptParties = false): Ev | undefined {
    let best: Ev | undefined;
    for (let i = this.sources.length - 1; i >= 0; i--) {
      const source = this.sources[i]!;
      const s = source.ev;
      if (s === self || s.ts < sinceTs || s.ts > self.ts || (labelMask(s.cls.labels) & mask) === 0) continue;
      if (best !== undefined && s.ts <= best.ts) continue;
      if (episode !== null && episodeOf(s) !== episode) continue;
      const fingerprints = (s.e as { fingerprints: { result: string[]; parties?: string[] } }).fingerprints;
      const values = (source.values ??= new Set(fingerprints.result));
      const parties = exceptParties ? (source.parties ??= new Set(fingerprints.parties ?? [])) : undefined;
      for (let j = 0; j < fps.length; j++) {
        if (values.has(fps[j]!) && !parties?.has(fps[j]!)) {
          best = s;
          break;
        }
      }
    }
    return best;
  }

  size(): number {
    return this.sources.length;
  }
}

/** The episode an event belongs to: capture's episode id, else the trace, else the MCP session. */
export function episodeOf(ev: Ev): string {
  const e = ev.e;
  if (e.schema_version === 2 && e.episode) return e.episode.id;
  return e.trace?.trace_id ?? e.mcp.session_id ?? '';
}

/** The values of an event a provenance condition looks at: all its argument values, only its destinations, or all but its destinations (the payload). */
export function fingerprintsOf(ev: Ev, where: 'arguments' | 'destinations' | 'payload'): readonly string[] {
  const e = ev.e;
  if (e.schema_version !== 2 || !e.fingerprints) return NONE;
  const { arguments: args, destinations } = e.fingerprints;
  if (where === 'destinations') return destinations;
  if (where === 'arguments' || destinations.length === 0) return args;
  const skip = new Set(destinations);
  return args.filter((fp) => !skip.has(fp));
}

const NONE: readonly string[] = Object.freeze([]);
