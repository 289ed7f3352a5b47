// Incident endpoints over real ClickHouse: cursor pagination walks every incident once; the filters
// (status, severity, user, rule, time range, text) pick the right ones; the detail tells the
// evidence as a story in order; status changes are kept in history and the latest wins.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiHarness, insertAlerts, insertEvents, insertSignals, makeChain, type ApiHarness, type Chain } from './support/api.factory.ts';

let h: ApiHarness;
let chains: Chain[];
let signals: Chain['alert'][];
let headers: Record<string, string>;
const T0 = Date.UTC(2025, 5, 2, 9, 0, 0);

beforeAll(async () => {
  h = await apiHarness('api_incidents');
  const db = h.env.config.clickhouse.database;
  chains = Array.from({ length: 23 }, (_, i) =>
    makeChain('acme', i % 2 ? 'alice@acme.com' : 'bob@acme.com', T0 + i * 60_000, {
      severity: i % 3 === 0 ? 'critical' : 'medium',
      rule: i % 4 === 0 ? 'exfil.rare-rule' : 'exfil.email-then-secret-then-send',
      summary: i === 7 ? 'Ünïcode SUMMARY with needle-42 inside' : `chain ${i}`,
    }),
  );
  // A second alert in the first incident: the summary counts both.
  const extra = makeChain('acme', 'bob@acme.com', T0 + 5_000, { incident: chains[0]!.alert.incident_id, severity: 'low' });
  await insertEvents(h.env.clickhouse, db, [...chains, extra].flatMap((c) => c.events));
  await insertAlerts(h.env.clickhouse, db, [...chains, extra].map((c) => c.alert));
  // Signals of the last incident's user: one 20 minutes before it (shown), one 2 hours before (too
  // early), one of the same user name in another tenant (never shown).
  const last = chains[chains.length - 1]!;
  const lastMs = Date.parse(last.alert.ts);
  const signal = (tenant: string, ms: number, rule: string) => {
    const c = makeChain(tenant, last.alert.user_id, ms, { rule, severity: 'medium' });
    return { ...c.alert, rule: { ...c.alert.rule, kind: 'pattern' as const } };
  };
  signals = [signal('acme', lastMs - 20 * 60_000, 'cred.store-access'), signal('acme', lastMs - 2 * 3_600_000, 'first-seen.new-tool'), signal('globex', lastMs - 60_000, 'exec.network-tool-in-args')];
  await insertSignals(h.env.clickhouse, db, signals);
  headers = { authorization: `Bearer ${await h.key('acme', ['incidents:read', 'incidents:write'], 'analyst')}` };
}, 120_000);

afterAll(async () => {
  await h?.close();
});

const get = async (url: string) => {
  const res = await h.app.inject({ url, headers });
  expect(res.statusCode, res.body).toBe(200);
  return JSON.parse(res.body);
};
const ids = (body: { items: { incident_id: string }[] }) => body.items.map((i) => i.incident_id);

describe('incidents', () => {
  it('shows the signals of the same user and tenant from an hour before the incident, and no others', async () => {
    const last = chains[chains.length - 1]!;
    const body = await get(`/v1/incidents/${last.alert.incident_id}`);
    expect(body.signals.map((s: { alert_id: string }) => s.alert_id)).toEqual([signals[0]!.alert_id]);
    // The signal's evidence is part of the story.
    const steps = new Set(body.story.map((s: { event_id: string }) => s.event_id));
    for (const id of signals[0]!.evidence.map((e) => e.event_id)) expect(steps.has(id)).toBe(true);
  });

  it('pages through every incident once, newest first', async () => {
    const seen: string[] = [];
    let url = '/v1/incidents?limit=5';
    for (let pages = 0; pages < 10; pages++) {
      const body = await get(url);
      seen.push(...ids(body));
      if (!body.next_cursor) break;
      url = `/v1/incidents?limit=5&cursor=${body.next_cursor}`;
    }
    expect(seen).toEqual([...chains].reverse().map((c) => c.alert.incident_id));
    const first = (await get('/v1/incidents?limit=100')).items.find((i: { incident_id: string }) => i.incident_id === chains[0]!.alert.incident_id);
    expect(first).toMatchObject({ alert_count: 2, severity: 'critical', status: 'open', user_id: 'bob@acme.com' });
  });

  it('filters by severity, user, rule, time range and text', async () => {
    const expectIds = (pred: (i: number) => boolean) => chains.filter((_, i) => pred(i)).map((c) => c.alert.incident_id).reverse();
    expect(ids(await get('/v1/incidents?limit=100&severity=critical'))).toEqual(expectIds((i) => i % 3 === 0));
    expect(ids(await get('/v1/incidents?limit=100&user=alice%40acme.com'))).toEqual(expectIds((i) => i % 2 === 1));
    expect(ids(await get('/v1/incidents?limit=100&rule=exfil.rare-rule'))).toEqual(expectIds((i) => i % 4 === 0));
    const from = new Date(T0 + 10 * 60_000).toISOString();
    const to = new Date(T0 + 12 * 60_000 + 5_000).toISOString();
    expect(ids(await get(`/v1/incidents?limit=100&from=${from}&to=${to}`))).toEqual(expectIds((i) => i >= 10 && i <= 12));
    expect(ids(await get(`/v1/incidents?text=${encodeURIComponent('ünïcode summary')}`))).toEqual([chains[7]!.alert.incident_id]);
  });

  it('tells the detail as a story in event order', async () => {
    const c = chains[5]!;
    const body = await get(`/v1/incidents/${c.alert.incident_id}`);
    expect(body.alerts).toHaveLength(1);
    expect(body.story.map((s: { event_id: string }) => s.event_id)).toEqual(c.events.map((e) => e.event_id));
    expect(body.story.map((s: { tool_class: string }) => s.tool_class)).toEqual(['email.read', 'secret.read', 'chat.send']);
    expect(body.story[1]).toMatchObject({ user_id: 'alice@acme.com', client_name: 'claude-desktop', server_name: 'filesystem', tool_name: 'read_file', resource: '/home/u/.ssh/id_rsa', from_event_store: true });
    expect(body.story[1].text).toContain('read_file');
  });

  it('changes status with note and actor, keeps the history, and the status filter follows', async () => {
    const id = chains[3]!.alert.incident_id;
    for (const [action, note] of [['acknowledge', 'looking'], ['false_positive', 'backup job'], ['reopen', 'not so sure'], ['resolve', 'key rotated']]) {
      const res = await h.app.inject({ method: 'POST', url: `/v1/incidents/${id}/status`, headers, payload: { action, note, ...(action === 'resolve' ? { actor: 'carol' } : {}) } });
      expect(res.statusCode, res.body).toBe(200);
    }
    const body = await get(`/v1/incidents/${id}`);
    expect(body.incident.status).toBe('resolved');
    expect(body).toMatchObject({ note: 'key rotated', actor: 'carol' });
    expect(body.history.map((x: { status: string }) => x.status)).toEqual(['acknowledged', 'false_positive', 'open', 'resolved']);
    expect(body.history[0].actor).toBe('analyst');
    expect(ids(await get('/v1/incidents?status=resolved'))).toEqual([id]);
    expect(ids(await get('/v1/incidents?limit=100&status=open'))).not.toContain(id);
    const missing = await h.app.inject({ method: 'POST', url: `/v1/incidents/${'f'.repeat(64)}/status`, headers, payload: { action: 'resolve' } });
    expect(missing.statusCode).toBe(404);
  });

  it('lists alerts and searches events', async () => {
    const alerts = await get(`/v1/alerts?incident=${chains[0]!.alert.incident_id}`);
    expect(alerts.items).toHaveLength(2);
    const ev = await get(`/v1/events?from=2025-06-01T00:00:00Z&to=2025-06-03T00:00:00Z&tool=read_file&user=alice%40acme.com&limit=500`);
    expect(ev.items).toHaveLength(11);
    expect(ev.items.every((e: { tool_name: string; user_id: string }) => e.tool_name === 'read_file' && e.user_id === 'alice@acme.com')).toBe(true);
  });
});
