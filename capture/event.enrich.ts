// What event v2 adds to a call's event beside v1's fields: argument names, the kinds of secrets
// redaction removed, keyed value fingerprints of arguments and result, and the episode. Kept apart
// from event.builder.ts so the builder only wires these in.
import type { AuditEventV2 } from '../schemas/event.v2.ts';
import { conversationIdFrom, EpisodeTracker, type Episode } from './episode.ts';
import { argumentFingerprints, resultSide, type FingerprintOptions } from './fingerprints.ts';
import { marker, redactText } from './redact.ts';

const MAX_KEYS = 64;
const MAX_SECRET_KINDS = 32;

/** Top-level argument names (never values); a name that is not a plain identifier goes through redaction. */
export function argumentKeys(args: unknown): string[] | undefined {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return undefined;
  const out: string[] = [];
  for (const k of Object.keys(args)) {
    if (out.length >= MAX_KEYS) break;
    const name = (/^[\w.$-]{1,128}$/.test(k) ? k : redactText(k)).slice(0, 128);
    if (name) out.push(name);
  }
  return out;
}

/** Top-level property names of a tool's input schema. */
export function inputKeys(tool: unknown): string[] | undefined {
  const props = (tool as { inputSchema?: { properties?: unknown } } | null)?.inputSchema?.properties;
  if (props === null || typeof props !== 'object' || Array.isArray(props)) return undefined;
  return argumentKeys(props);
}

// The marker text around a kind, taken from redaction itself so the two never drift apart.
const [MARK_HEAD = '', MARK_TAIL = ''] = marker('\u0000').split('\u0000');
/** Markers that say something was cut, not that a secret was found. */
const NOT_SECRETS = new Set(['too-deep']);

/** Adds the kinds of secret named by the redaction markers in `text` (a linear scan). */
function markersIn(text: string, kinds: Set<string>): void {
  for (let at = text.indexOf(MARK_HEAD); at >= 0 && kinds.size < MAX_SECRET_KINDS; at = text.indexOf(MARK_HEAD, at + 1)) {
    const start = at + MARK_HEAD.length;
    const end = text.indexOf(MARK_TAIL, start);
    if (end < 0) break;
    const kind = text.slice(start, end);
    if (kind.length >= 1 && kind.length <= 64 && /^[\w.-]+$/.test(kind) && !NOT_SECRETS.has(kind)) kinds.add(kind);
  }
}

/** The kinds of secret redaction removed from a value, read from the markers in its redacted copy. */
export function secretKinds(redacted: unknown): string[] | undefined {
  if (!MARK_HEAD) return undefined;
  const kinds = new Set<string>();
  const stack = [redacted];
  // Bounded like everything capture walks: a redacted copy is no deeper than redaction allows.
  for (let visited = 0; stack.length && visited < 50_000 && kinds.size < MAX_SECRET_KINDS; visited++) {
    const v = stack.pop();
    if (typeof v === 'string') markersIn(v, kinds);
    else if (v !== null && typeof v === 'object') for (const child of Object.values(v)) stack.push(child);
  }
  return kinds.size ? [...kinds] : undefined;
}

/** What v2 adds to `arguments`: the top-level names and the kinds of secrets redaction removed. */
export function argumentNames(args: unknown, redacted: unknown): { keys?: string[]; secrets?: string[] } {
  const keys = argumentKeys(args);
  const secrets = secretKinds(redacted);
  return { ...(keys ? { keys } : {}), ...(secrets ? { secrets } : {}) };
}

export function fingerprintsOf(args: unknown, result: unknown, hasResult: boolean, opts: FingerprintOptions): NonNullable<AuditEventV2['fingerprints']> {
  const a = args === undefined ? { arguments: [], destinations: [] } : argumentFingerprints(args, opts);
  const r = hasResult ? resultSide(result, opts) : { result: [], parties: [] };
  return { arguments: a.arguments, result: r.result, destinations: a.destinations, ...(r.parties.length ? { parties: r.parties } : {}) };
}

/** A secret check for fingerprints: whatever redaction would change is a secret. */
export const redactsAsSecret = (token: string) => redactText(token) !== token;

// One tracker per set of build options (one per capture), made on first use.
const trackers = new WeakMap<object, EpisodeTracker>();

export function episodeFor(
  opts: { episodeIdleMs?: number },
  event: Pick<AuditEventV2, 'tenant_id' | 'actor' | 'server' | 'mcp' | 'trace'>,
  params: Record<string, unknown> | undefined,
  atMs: number,
): { episode: Episode; conversationId: string | undefined } {
  let tracker = trackers.get(opts);
  if (!tracker) trackers.set(opts, (tracker = new EpisodeTracker(opts.episodeIdleMs)));
  const conversationId = conversationIdFrom(params);
  const episode = tracker.episodeOf({
    tenantId: event.tenant_id,
    userId: event.actor.user_id,
    agentId: event.actor.agent_id,
    clientName: event.actor.client_name,
    sourceAddress: event.actor.source_address,
    serverName: event.server.name,
    sessionId: event.mcp.session_id,
    traceId: event.trace?.trace_id,
    conversationId,
    atMs,
  });
  return { episode, conversationId };
}
