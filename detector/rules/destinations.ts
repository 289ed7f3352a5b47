// Destinations: where a call sends or shares — mail and chat recipients, channels, bank accounts,
// repositories, hosts. A v2 event names them by keyed fingerprint (`fingerprints.destinations`, so
// an account number is never stored); a v1 event by its extracted recipients and hosts. The
// baseline's known destinations use the same representation (baselines.queries.ts).
import { pruneMap, pruneOldest } from './map.prune.ts';
import type { Ev, UserState } from './rule.types.ts';

/** Users need this much history before any destination counts as novel (cold start stays silent). */
export const MIN_HISTORY_WEEKS_FOR_NOVELTY = 1;
/** Destinations remembered per user since the snapshot; the oldest go first beyond it. */
const MAX_RECENT_DESTINATIONS = 512;

const NONE: readonly string[] = Object.freeze([]);

export function destinationsOf(ev: Ev): readonly string[] {
  const e = ev.e;
  if (e.schema_version === 2 && e.fingerprints && e.fingerprints.destinations.length > 0) return e.fingerprints.destinations;
  const r = e.resource;
  if (!r || (!r.recipients && !r.hosts)) return NONE;
  if (!r.hosts) return r.recipients!;
  if (!r.recipients) return r.hosts;
  return [...r.recipients, ...r.hosts];
}

/** Whether the user sent to `d` in the baseline period or since the snapshot (the baseline as cached by the engine). */
export function hasUsedDestination(user: UserState, d: string): boolean {
  return user.baseline?.knownDestinations?.has(d) === true || user.recentDestinations?.has(d) === true;
}

/**
 * True when the call names a destination the user has used neither in the baseline period nor
 * since the snapshot; false during cold start. Reads the user's baseline as cached by the engine
 * for this event. A condition on every send asks it, so it builds no list.
 */
export function hasNovelDestination(ev: Ev): boolean {
  const dests = destinationsOf(ev);
  if (dests.length === 0) return false;
  const b = ev.user.baseline;
  if (!b || b.weeks < MIN_HISTORY_WEEKS_FOR_NOVELTY) return false;
  for (let i = 0; i < dests.length; i++) if (!hasUsedDestination(ev.user, dests[i]!)) return true;
  return false;
}

/**
 * Remembers the call's destinations as used (after every rule has seen the call). Only for users
 * with enough history for novelty to apply: for the others nothing is ever novel anyway.
 */
export function rememberDestinations(user: UserState, ev: Ev): void {
  const b = user.baseline;
  if (!b || b.weeks < MIN_HISTORY_WEEKS_FOR_NOVELTY) return;
  const dests = destinationsOf(ev);
  if (dests.length === 0) return;
  const map = (user.recentDestinations ??= new Map());
  for (const d of dests) {
    map.delete(d);
    map.set(d, ev.ts);
  }
  if (map.size > MAX_RECENT_DESTINATIONS) pruneOldest(map, MAX_RECENT_DESTINATIONS);
}

/** A new snapshot covers what was used before it was computed: forget those. */
export function forgetDestinationsBefore(user: UserState, computedAt: number): void {
  const map = user.recentDestinations;
  if (!map) return;
  pruneMap(map, (ts) => ts < computedAt);
}
