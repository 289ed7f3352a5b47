import { describe, expect, it } from 'vitest';
import { conversationIdFrom, EpisodeTracker, type EpisodeInput } from './episode.ts';

const base: EpisodeInput = { tenantId: 'acme', userId: 'alice', clientName: 'cursor', serverName: 'mail', atMs: 1_000_000 };
const MIN = 60_000;

describe('episodes', () => {
  it('take the best basis the call carries: trace, conversation, agent, session, then idle gap', () => {
    const t = new EpisodeTracker();
    const all = { ...base, traceId: 'a'.repeat(32), conversationId: 'conv-1', agentId: 'bot', sessionId: 's-1' };
    expect(t.episodeOf(all).basis).toBe('trace');
    expect(t.episodeOf({ ...all, traceId: undefined }).basis).toBe('conversation');
    expect(t.episodeOf({ ...all, traceId: undefined, conversationId: undefined }).basis).toBe('agent');
    expect(t.episodeOf({ ...base, sessionId: 's-1' }).basis).toBe('session');
    expect(t.episodeOf(base).basis).toBe('idle_gap');
  });

  it('name a trace, conversation or session episode the same at every capture point, per tenant', () => {
    const a = new EpisodeTracker().episodeOf({ ...base, traceId: 'b'.repeat(32) });
    const b = new EpisodeTracker().episodeOf({ ...base, serverName: 'bank', atMs: 9e12, traceId: 'b'.repeat(32) });
    expect(a).toEqual(b);
    expect(new EpisodeTracker().episodeOf({ ...base, tenantId: 'other', traceId: 'b'.repeat(32) }).id).not.toBe(a.id);
    expect(new EpisodeTracker().episodeOf({ ...base, conversationId: 'b'.repeat(32) }).id).not.toBe(a.id);
  });

  it('split idle-gap episodes at a pause longer than the gap, per user, client and server', () => {
    const t = new EpisodeTracker(30 * MIN);
    const first = t.episodeOf(base);
    expect(t.episodeOf({ ...base, atMs: base.atMs + 20 * MIN }).id).toBe(first.id);
    expect(t.episodeOf({ ...base, atMs: base.atMs + 45 * MIN }).id).toBe(first.id); // 25 min after the last call
    const next = t.episodeOf({ ...base, atMs: base.atMs + 80 * MIN });
    expect(next.id).not.toBe(first.id);
    expect(t.episodeOf({ ...base, userId: 'bob', atMs: base.atMs + 81 * MIN }).id).not.toBe(next.id);
    expect(t.episodeOf({ ...base, serverName: 'bank', atMs: base.atMs + 81 * MIN }).id).not.toBe(next.id);
    // Derived from the first call's time: another tracker seeing the same run names it the same.
    expect(new EpisodeTracker(30 * MIN).episodeOf(base).id).toBe(first.id);
  });

  it('split agent episodes at the idle gap too: an agent id names an agent, not one run', () => {
    const t = new EpisodeTracker(30 * MIN);
    const a = t.episodeOf({ ...base, agentId: 'bot' });
    expect(t.episodeOf({ ...base, agentId: 'bot', serverName: 'bank', atMs: base.atMs + MIN })).toEqual(a); // across servers
    expect(t.episodeOf({ ...base, agentId: 'bot', atMs: base.atMs + 120 * MIN }).id).not.toBe(a.id);
  });

  it('read a conversation id from _meta under the usual names', () => {
    expect(conversationIdFrom({ _meta: { 'gen_ai.conversation.id': 'c1' } })).toBe('c1');
    expect(conversationIdFrom({ _meta: { conversationId: 'c2' } })).toBe('c2');
    expect(conversationIdFrom({ _meta: { conversation_id: 42 } })).toBe('42');
    expect(conversationIdFrom({ _meta: { traceparent: 'x' } })).toBeUndefined();
    expect(conversationIdFrom({ conversationId: 'not in meta' })).toBeUndefined();
  });
});
