// The simulator: deterministic for a seed, every event valid v1, injected chains in the manifest
// with their event ids, benign users free of the injected patterns, and a small run produced to a
// test topic arrives in Kafka (counted from the topic's offsets).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../core/kafka.ts';
import { auditEventV1, type AuditEventV1 } from '../schemas/event.v1.ts';
import { BENIGN_COMMANDS } from '../simulate/benign.calls.ts';
import { chainTypes } from '../simulate/chains.ts';
import { generateTraffic, LiveTraffic } from '../simulate/simulate.ts';
import { runSimulation } from '../simulate/simulate.runner.ts';
import { createTestEnv, testLog, type TestEnv } from './support/test.env.ts';

const END = Date.UTC(2025, 5, 30); // a Monday, 00:00 UTC
const all = chainTypes.map((type) => ({ type, count: 2 }));
const run = generateTraffic({ users: 40, days: 7, seed: 42, endMs: END, inject: all });
const chainIds = new Set(run.manifest.chains.flatMap((c) => c.event_ids));
const benign = run.events.filter((e) => !chainIds.has(e.event_id));

/** The patterns the injected chains carry; benign traffic must never show one. */
const CREDENTIAL_PATH = /(\/\.ssh\/|\/\.aws\/|\/\.env(\.|$)|\/\.gnupg\/|id_rsa|id_ed25519|\.pem$|\.key$|\/etc\/shadow|credentials)/;
const DOWNLOAD = /\b(curl|wget|nc|ncat|netcat)\b/;
const DESTRUCTIVE_SQL = /\b(drop|truncate)\b|\bdelete\s+from\b|\bupdate\b(?![\s\S]*\bwhere\b)/i;
const POISONING = /<important>|do not mention|ignore (all|previous)|\.ssh/i;

describe('generateTraffic', () => {
  it('is deterministic for a seed and differs for another', () => {
    const again = generateTraffic({ users: 40, days: 7, seed: 42, endMs: END, inject: all });
    expect(again.events).toEqual(run.events);
    expect({ ...again.manifest, generated_at: '' }).toEqual({ ...run.manifest, generated_at: '' });
    const other = generateTraffic({ users: 40, days: 7, seed: 43, endMs: END, inject: all });
    expect(other.events.map((e) => e.event_id)).not.toEqual(run.events.map((e) => e.event_id));
  });

  it('produces only events that validate against the v1 schema, in time order, inside the window', () => {
    expect(run.events.length).toBeGreaterThan(5_000);
    for (const e of run.events) {
      const r = auditEventV1.safeParse(e);
      if (!r.success) throw new Error(`${e.event_id}: ${JSON.stringify(r.error.issues)}`);
    }
    expect(new Set(run.events.map((e) => e.event_id)).size).toBe(run.events.length);
    const times = run.events.map((e) => Date.parse(e.ts));
    expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true);
    expect(times[0]!).toBeGreaterThanOrEqual(END - 7 * 86_400_000);
    expect(times[times.length - 1]!).toBeLessThan(END);
    expect(run.manifest.counts.events).toBe(run.events.length);
  });

  it('has roles, sessions, tool listings with description hashes, and ~2% errors', () => {
    const kinds = run.manifest.counts.by_kind;
    expect(kinds.tool_call! / run.events.length).toBeGreaterThan(0.6);
    expect(kinds.tool_list).toBeGreaterThan(0);
    expect(kinds.session).toBeGreaterThan(0);
    const lists = run.events.filter((e) => e.kind === 'tool_list');
    expect(lists.every((e) => e.tools!.every((t) => /^[0-9a-f]{64}$/.test(t.description_sha256) && t.description))).toBe(true);
    const calls = benign.filter((e) => e.kind === 'tool_call');
    const errors = calls.filter((e) => e.result?.status === 'error').length / calls.length;
    expect(errors).toBeGreaterThan(0.01);
    expect(errors).toBeLessThan(0.04);
    expect(new Set(run.manifest.users.map((u) => u.role))).toEqual(new Set(['developer', 'analyst', 'support', 'sre']));
    // The needed tools of the common servers all show up.
    const tools = new Set(calls.map((e) => e.tool!.name));
    for (const t of ['read_file', 'write_file', 'list_directory', 'slack_post_message', 'slack_list_channels', 'search_emails', 'read_email', 'send_email', 'query', 'fetch_url', 'run_command', 'search_code']) {
      expect(tools, t).toContain(t);
    }
  });

  it('follows daily rhythms: weekends and nights are quiet', () => {
    const weekday = (e: AuditEventV1) => (Math.floor(Date.parse(e.ts) / 86_400_000) + 3) % 7;
    const calls = benign.filter((e) => e.kind === 'tool_call');
    // The window is Mon 23 .. Sun 29 June in UTC; time zones blur the edges, so compare with margin.
    const perWeekday = calls.filter((e) => weekday(e) >= 1 && weekday(e) <= 3).length / 3;
    const perWeekendDay = calls.filter((e) => weekday(e) >= 5).length / 2;
    expect(perWeekendDay).toBeLessThan(perWeekday * 0.25);
  });

  it('lists every injected chain with its events, one user, within minutes', () => {
    expect(run.manifest.chains).toHaveLength(chainTypes.length * 2);
    const byId = new Map(run.events.map((e) => [e.event_id, e]));
    for (const c of run.manifest.chains) {
      const events = c.event_ids.map((id) => byId.get(id)!);
      expect(events.every(Boolean), c.id).toBe(true);
      expect(events.every((e) => e.tenant_id === c.tenant_id && e.actor.user_id === c.user_id && e.mcp.session_id === c.session_id)).toBe(true);
      expect(c.trigger_event_id).toBe(c.event_ids[c.event_ids.length - 1]);
      expect(Date.parse(c.end) - Date.parse(c.start)).toBeLessThanOrEqual(10 * 60_000);
      expect(run.manifest.users.find((u) => u.user_id === c.user_id)!.injected).toBe(true);
    }
    const kinds = new Set(run.manifest.chains.map((c) => c.type));
    expect(kinds).toEqual(new Set(chainTypes));
    // Each chain carries its pattern in its trigger (or, for exfil, in its middle step).
    const text = (id: string) => JSON.stringify(byId.get(id));
    for (const c of run.manifest.chains) {
      if (c.type === 'exfil' || c.type === 'secret-then-sink') expect(c.event_ids.some((id) => CREDENTIAL_PATH.test(byId.get(id)!.resource?.paths?.[0] ?? ''))).toBe(true);
      if (c.type === 'shell-download') expect(text(c.trigger_event_id)).toMatch(DOWNLOAD);
      if (c.type === 'destructive-sql') expect(byId.get(c.trigger_event_id)!.arguments!.preview).toMatch(DESTRUCTIVE_SQL);
      if (c.type === 'rug-pull') expect(byId.get(c.trigger_event_id)!.tools![0]!.description).toMatch(POISONING);
    }
  });

  it('keeps benign traffic free of the injected patterns', () => {
    for (const e of benign) {
      for (const p of e.resource?.paths ?? []) expect(p).not.toMatch(CREDENTIAL_PATH);
      if (e.tool?.name === 'run_command') expect(e.arguments!.preview).not.toMatch(DOWNLOAD);
      if (e.tool?.name === 'query') expect(e.arguments!.preview).not.toMatch(DESTRUCTIVE_SQL);
      for (const t of e.tools ?? []) expect(t.description).not.toMatch(POISONING);
    }
    for (const c of BENIGN_COMMANDS) expect(c).not.toMatch(DOWNLOAD);
    // One description per tool across all benign listings: nothing drifts.
    const descriptions = new Map<string, Set<string>>();
    for (const e of benign) for (const t of e.tools ?? []) descriptions.set(`${e.server.name}/${t.name}`, (descriptions.get(`${e.server.name}/${t.name}`) ?? new Set()).add(t.description_sha256));
    expect([...descriptions.values()].every((s) => s.size === 1)).toBe(true);
  });
});

describe('LiveTraffic', () => {
  it('keeps the rate and releases chain steps as they come due', () => {
    const start = Date.UTC(2025, 5, 24, 14);
    const live = new LiveTraffic({ users: 10, seed: 3, rate: 100, durationMs: 10_000, startMs: start, inject: [{ type: 'exfil', count: 1 }] });
    const out: AuditEventV1[] = [];
    for (let t = start; t <= start + 15_000; t += 100) out.push(...live.due(t));
    const benignCalls = out.filter((e) => e.kind === 'tool_call' && !live.manifest.chains[0]!.event_ids.includes(e.event_id));
    expect(benignCalls.length).toBeGreaterThan(900);
    expect(live.manifest.chains).toHaveLength(1);
    expect(live.pendingCount).toBe(0);
    const ids = new Set(out.map((e) => e.event_id));
    expect(live.manifest.chains[0]!.event_ids.every((id) => ids.has(id))).toBe(true);
    for (const e of out) expect(auditEventV1.safeParse(e).success).toBe(true);
  });
});

describe('runSimulation to Kafka', () => {
  let t: TestEnv;
  beforeAll(async () => {
    t = await createTestEnv('simulate');
  });
  afterAll(async () => t?.clickhouse.close());

  it('produces every event of a small history + live run to the topic', async () => {
    const kafka = createKafka(t.config.kafka, testLog);
    const { produced, manifest } = await runSimulation(
      { kafka, topic: t.config.topics.events, log: testLog },
      { users: 5, days: 1, seed: 9, rate: 200, durationMs: 1_500, inject: [{ type: 'shell-download', count: 1 }] },
    );
    expect(produced).toBe(manifest.counts.events);
    expect(manifest.mode).toBe('history+live');
    expect(manifest.chains).toHaveLength(1);
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(t.config.topics.events);
    await admin.disconnect();
    const onTopic = offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
    expect(onTopic).toBe(produced);
  });
});
