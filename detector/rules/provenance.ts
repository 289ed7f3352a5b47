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
 * Recent result fingerprints of one user, each mapped to the last call that returned it. Bounded:
 * beyond `max` entries the oldest inserted go first, so a flood of large results can only push
 * older values out, never grow memory. The value is the call itself (its labels are read when a
 * condition asks), so recording allocates nothing per fingerprint.
 */
export class ProvenanceStore {
  private readonly byFp = new Map<string, Ev>();
  private readonly max: number;
  constructor(max: number) {
    this.max = max;
  }

  /** Remembers the result fingerprints of a call that carries a provenance label. */
  record(ev: Ev): void {
    const fps = ev.e.schema_version === 2 ? ev.e.fingerprints?.result : undefined;
    if (!fps || fps.length === 0 || labelMask(ev.cls.labels) === 0) return;
    const map = this.byFp;
    // A value seen again keeps its place in the eviction order: re-ordering would cost a delete
    // per value, and a value repeated often is still found through its newest call.
    for (let i = 0; i < fps.length; i++) map.set(fps[i]!, ev);
    if (map.size > this.max) {
      let extra = map.size - this.max;
      for (const k of map.keys()) {
        if (extra-- <= 0) break;
        map.delete(k);
      }
    }
  }

  /**
   * The most recent source of any of `fps` carrying one of `mask`'s labels, no older than `sinceTs`
   * and not the event itself; undefined when none.
   */
  find(fps: readonly string[], mask: number, sinceTs: number, self: Ev, episode: string | null): Ev | undefined {
    let best: Ev | undefined;
    for (let i = 0; i < fps.length; i++) {
      const s = this.byFp.get(fps[i]!);
      if (!s || s === self || s.ts < sinceTs || s.ts > self.ts || (labelMask(s.cls.labels) & mask) === 0) continue;
      if (episode !== null && episodeOf(s) !== episode) continue;
      if (!best || s.ts > best.ts) best = s;
    }
    return best;
  }

  size(): number {
    return this.byFp.size;
  }
}

/** The episode an event belongs to: capture's episode id, else the trace, else the MCP session. */
export function episodeOf(ev: Ev): string {
  const e = ev.e;
  if (e.schema_version === 2 && e.episode) return e.episode.id;
  return e.trace?.trace_id ?? e.mcp.session_id ?? '';
}

/** The values of an event a provenance condition looks at. */
export function fingerprintsOf(ev: Ev, where: 'arguments' | 'destinations'): readonly string[] {
  const e = ev.e;
  if (e.schema_version !== 2 || !e.fingerprints) return NONE;
  return where === 'destinations' ? e.fingerprints.destinations : e.fingerprints.arguments;
}

const NONE: readonly string[] = Object.freeze([]);
