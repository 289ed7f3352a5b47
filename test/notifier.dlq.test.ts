// What cannot be delivered is parked, never dropped: a receiver refusing with 400 (at once, no
// retries), one answering 410 (destination disabled, loudly), a destination the SSRF guard refuses,
// retries running out, and a message that is not an alert — each lands in the alerts DLQ with the
// original bytes and headers naming reason, destination, step, time and source; the offsets are
// committed; a healthy destination next to them receives everything.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../core/kafka.ts';
import { createRegistry } from '../core/metrics.ts';
import type { Registry } from '../core/metrics.ts';
import { loadDestinations } from '../notifier/destinations.config.ts';
import { createNotifierService, type NotifierService } from '../notifier/notifier.service.ts';
import { startTestReceiver, type TestReceiver } from './support/siem.receiver.ts';
import { committedToEnd, headersOf, makeAlerts, produceAlerts, readTopic } from './support/alerts.factory.ts';
import { qualified, sql } from '../core/sql.ts';
import { createTestEnv, eventually, queryRows, testLog, type TestEnv } from './support/test.env.ts';

const N = 5;
const alerts = makeAlerts(N, 9);
const group = `t.notifier.dlq.${randomBytes(4).toString('hex')}`;
let t: TestEnv;
let service: NotifierService;
let registry: Registry;
const rx: TestReceiver[] = [];
let healthy: TestReceiver, refuser: TestReceiver, gone: TestReceiver, unguarded: TestReceiver, flaky: TestReceiver;

beforeAll(async () => {
  t = await createTestEnv('notifier_dlq', { MCP_AUDIT_NOTIFIER_GROUP_ID: group, MCP_AUDIT_NOTIFIER_HEALTH_PORT: '0' });
  healthy = await startTestReceiver();
  refuser = await startTestReceiver(() => ({ status: 400 }));
  gone = await startTestReceiver(() => ({ status: 410 }));
  unguarded = await startTestReceiver();
  flaky = await startTestReceiver(() => ({ status: 503 }));
  rx.push(healthy, refuser, gone, unguarded, flaky);
  const secret = { secret_env: 'T_SECRET' };
  const loopback = { allow_networks: ['loopback'] };
  const destinations = loadDestinations(
    {
      destinationsFile: '',
      destinationsJson: JSON.stringify([
        { name: 'healthy', type: 'standard-webhooks', url: healthy.url, ...secret, ...loopback },
        { name: 'refuser', type: 'ecs', url: refuser.url, ...loopback },
        { name: 'gone', type: 'ocsf', url: gone.url, ...loopback },
        // No allow_networks: the SSRF guard must refuse 127.0.0.1.
        { name: 'unguarded', type: 'standard-webhooks', url: unguarded.url, ...secret },
        { name: 'flaky', type: 'standard-webhooks', url: flaky.url, max_attempts: 3, backoff_initial_ms: 10, backoff_max_ms: 20, ...secret, ...loopback },
      ]),
    },
    { T_SECRET: `whsec_${randomBytes(24).toString('base64')}` },
  );
  registry = createRegistry('notifier');
  service = createNotifierService(t.config, { kafka: createKafka(t.config.kafka, testLog), log: testLog, registry, destinations, clickhouse: t.clickhouse });
  await service.start();
  const kafka = createKafka(t.config.kafka, testLog);
  await produceAlerts(kafka, t.config.topics.alerts, alerts);
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: t.config.topics.alerts, messages: [{ key: 'x:y', value: '{"not":"an alert"}' }] });
  await producer.disconnect();
});

afterAll(async () => {
  await service?.stop();
  for (const r of rx) await r.close();
  await t?.clickhouse.close();
});

describe('notifier dead letters', () => {
  it('parks each undeliverable alert per destination with its reason, and commits', async () => {
    const kafka = createKafka(t.config.kafka, testLog);
    // 5 alerts x (refuser, gone, unguarded, flaky) + 1 invalid message.
    const dlq = await readTopic(kafka, t.config.topics.alertsDlq, 4 * N + 1, 30_000);
    expect(dlq).toHaveLength(4 * N + 1);
    const byDest = new Map<string, { reason: string; id: string }[]>();
    for (const m of dlq) {
      const h = headersOf(m);
      expect(h['mcp-audit-source-topic']).toBe(t.config.topics.alerts);
      expect(Number(h['mcp-audit-source-offset'])).toBeGreaterThanOrEqual(0);
      expect(Number.isNaN(Date.parse(h['mcp-audit-time']!))).toBe(false);
      const dest = h['mcp-audit-destination'] ?? '?';
      const list = byDest.get(dest) ?? [];
      list.push({ reason: h['mcp-audit-reason']!, id: dest ? JSON.parse(m.value!.toString()).alert_id : '' });
      byDest.set(dest, list);
      if (dest) {
        // The original bytes, unchanged.
        const original = alerts.find((a) => a.alert_id === JSON.parse(m.value!.toString()).alert_id)!;
        expect(m.value!.toString()).toBe(JSON.stringify(original));
        expect(h['mcp-audit-step']).toBe('deliver');
      } else {
        expect(h['mcp-audit-step']).toBe('decode');
      }
    }
    const reasons = (d: string) => [...new Set(byDest.get(d)?.map((x) => x.reason))];
    expect(reasons('refuser')).toEqual(['http_400']);
    expect(reasons('unguarded')).toEqual(['ssrf_refused']);
    expect(reasons('flaky')).toEqual(['retries_exhausted']);
    expect(reasons('gone')).toEqual(['destination_disabled']);
    expect(reasons('')).toEqual(['invalid_alert']);
    for (const d of ['refuser', 'gone', 'unguarded', 'flaky']) expect(byDest.get(d)).toHaveLength(N);

    // 400: no retry, one request per alert. 503: exactly max_attempts requests per alert.
    expect(refuser.requests).toHaveLength(N);
    expect(flaky.requests).toHaveLength(3 * N);
    // 410: after the first 410 nothing more is sent; the SSRF guard never let a request out.
    expect(gone.requests.length).toBeLessThanOrEqual(4);
    expect(unguarded.requests).toHaveLength(0);
    expect(new Set(healthy.accepted().map((r) => r.headers['webhook-id']))).toEqual(new Set(alerts.map((a) => a.alert_id)));
    expect(await eventually(() => committedToEnd(kafka, group, t.config.topics.alerts), 10_000)).toBe(true);
  });

  it('says loudly that a destination was disabled: health and metrics', async () => {
    expect(service.unhealthy()).toMatch(/gone answered 410 Gone/);
    const res = await fetch(`http://127.0.0.1:${service.healthPort()}/healthz`);
    expect(res.status).toBe(503);
    const text = await registry.metrics();
    expect(text).toMatch(/mcp_audit_notifier_destination_disabled\{destination="gone",service="notifier"\} 1/);
    expect(text).toMatch(/mcp_audit_notifier_dead_lettered_total\{destination="refuser",reason="http_400",service="notifier"\} 5/);
    expect(text).toMatch(/mcp_audit_notifier_delivered_total\{destination="healthy",service="notifier"\} 5/);
    expect(text).toMatch(/mcp_audit_notifier_retried_total\{destination="flaky",reason="http_503",service="notifier"\} 10/);
  });

  it('logs every retry and final outcome to the deliveries table', async () => {
    const table = qualified(t.config.clickhouse.database, 'deliveries');
    const query = sql`SELECT destination, outcome, reason, count() AS n FROM ${table} GROUP BY destination, outcome, reason ORDER BY destination, outcome, reason`.text;
    let rows: { destination: string; outcome: string; reason: string; n: string }[] = [];
    await eventually(async () => (rows = await queryRows(t.clickhouse, query)).length >= 6, 10_000);
    expect(rows.map((r) => `${r.destination} ${r.outcome} ${r.reason} ${r.n}`)).toEqual([
      'flaky dead_lettered retries_exhausted 5',
      'flaky retried http_503 10',
      'gone disabled destination_disabled 5',
      'healthy delivered  5',
      'refuser dead_lettered http_400 5',
      'unguarded dead_lettered ssrf_refused 5',
    ]);
  });
});
