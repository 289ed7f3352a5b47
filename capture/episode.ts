// Groups calls into episodes (one agent run) from whatever the call carries, best basis first:
//   trace         W3C trace id of `params._meta.traceparent`: one run, end to end, across servers;
//   conversation  a conversation id in `params._meta` (`gen_ai.conversation.id`, `conversationId`, ...);
//   agent         the agent id, per user, split where the agent pauses longer than the idle gap
//                 (an agent id names an agent, not one of its runs);
//   session       the MCP session id (2025-era peers; a stdio connection is one session);
//   idle_gap      tenant, user, client, source address and server, split at the idle gap.
// MCP 2026-07-28 is stateless (no session id), hence the fallbacks. The id is a hash of tenant,
// basis and value, so every capture point derives the same id for the same trace or conversation;
// for the gap-split bases the first call's time is part of the value.
import { createHash } from 'node:crypto';
import type { EpisodeBasis } from '../schemas/event.v2.ts';

export interface EpisodeInput {
  tenantId: string;
  userId: string;
  agentId?: string | undefined;
  clientName?: string | undefined;
  sourceAddress?: string | undefined;
  serverName: string;
  sessionId?: string | undefined;
  traceId?: string | undefined;
  conversationId?: string | undefined;
  /** Start time of the call (ms since the epoch). */
  atMs: number;
}

export interface Episode {
  id: string;
  basis: EpisodeBasis;
}

export const DEFAULT_EPISODE_IDLE_MS = 30 * 60_000;
/** Runs tracked at once for the gap-split bases; the least recently active is forgotten first. */
const MAX_TRACKED = 10_000;

export const episodeId = (tenantId: string, basis: EpisodeBasis, value: string) =>
  createHash('sha256').update(`episode\u0000${tenantId}\u0000${basis}\u0000${value}`).digest('hex').slice(0, 32);

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A conversation id from `params._meta`, under any key ending in `conversation id` in any case and separator style. */
export function conversationIdFrom(params: Record<string, unknown> | undefined): string | undefined {
  const meta = params?._meta;
  if (!isObject(meta)) return undefined;
  for (const [k, v] of Object.entries(meta)) {
    if (!k.toLowerCase().replace(/[^a-z]/g, '').endsWith('conversationid')) continue;
    const id = typeof v === 'number' && Number.isFinite(v) ? String(v) : typeof v === 'string' ? v.trim() : '';
    if (id) return id.slice(0, 256);
  }
  return undefined;
}

export class EpisodeTracker {
  private readonly idleMs: number;
  private readonly runs = new Map<string, { id: string; firstMs: number; lastMs: number }>();

  constructor(idleMs = DEFAULT_EPISODE_IDLE_MS) {
    this.idleMs = idleMs;
  }

  episodeOf(c: EpisodeInput): Episode {
    if (c.traceId) return { basis: 'trace', id: episodeId(c.tenantId, 'trace', c.traceId) };
    if (c.conversationId) return { basis: 'conversation', id: episodeId(c.tenantId, 'conversation', c.conversationId) };
    if (c.agentId) return { basis: 'agent', id: this.splitAtGaps(c, 'agent', [c.userId, c.agentId]) };
    if (c.sessionId) return { basis: 'session', id: episodeId(c.tenantId, 'session', c.sessionId) };
    return { basis: 'idle_gap', id: this.splitAtGaps(c, 'idle_gap', [c.userId, c.clientName ?? '', c.sourceAddress ?? '', c.serverName]) };
  }

  /** The current run of `parts`, or a new one (named by its first call's time) after a pause longer than the idle gap. */
  private splitAtGaps(c: EpisodeInput, basis: EpisodeBasis, parts: string[]): string {
    const key = [c.tenantId, basis, ...parts].join('\u0000');
    let run = this.runs.get(key);
    if (run && c.atMs - run.lastMs <= this.idleMs && c.atMs >= run.firstMs - this.idleMs) {
      run.lastMs = Math.max(run.lastMs, c.atMs);
      this.runs.delete(key); // re-inserted below: the map's order is least recently active first
    } else {
      run = { id: episodeId(c.tenantId, basis, `${parts.join('\u0000')}\u0000${c.atMs}`), firstMs: c.atMs, lastMs: c.atMs };
    }
    this.runs.set(key, run);
    if (this.runs.size > MAX_TRACKED) this.runs.delete(this.runs.keys().next().value!);
    return run.id;
  }
}
