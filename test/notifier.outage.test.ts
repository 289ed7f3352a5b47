// A SIEM that answers 500 for a real 60 seconds, then 200: every alert is delivered, and after
// de-duplication by webhook-id at the receiver each alert is there exactly once. Meanwhile a
// healthy destination gets everything at once (the failing one does not hold it up), and a third
// destination that is not listening at all for the first 20 s gets everything once it comes up.
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../core/kafka.ts';
import { createRegistry, type Registry } from '../core/metrics.ts';
import { loadDestinations } from '../notifier/destinations.config.ts';
import { createNotifierService, type NotifierService } from '../notifier/notifier.service.ts';
import { startTestReceiver, type TestReceiver } from './support/siem.receiver.ts';
import { committedToEnd, makeAlerts, produceAlerts, readTopic } from './support/alerts.factory.ts';
import { freePort } from '../stack/free.port.ts';
import { createTestEnv, eventually, testLog, type TestEnv } from './support/test.env.ts';

const OUTAGE_MS = 60_000;
const DOWN_MS = 20_000;
const N = 30;
const alerts = makeAlerts(N, 21);
const ids = new Set(alerts.map((a) => a.alert_id));
const secret = `whsec_${randomBytes(24).toString('base64')}`;
const group = `t.notifier.outage.${randomBytes(4).toString('hex')}`;

let t: TestEnv;
let service: NotifierService;
let registry: Registry;
let failing: TestReceiver, healthy: TestReceiver;
let late: TestReceiver | null = null;
let outageEndsAt = 0;

beforeAll(async () => {
  t = await createTestEnv('notifier_outage', { MCP_AUDIT_NOTIFIER_GROUP_ID: group, MCP_AUDIT_NOTIFIER_HEALTH_PORT: '0' });
  failing = await startTestReceiver(() => ({ status: Date.now() < outageEndsAt ? 500 : 200 }));
  healthy = await startTestReceiver();
  const latePort = await freePort();
  // Shortened backoff so the test sees many retries within the outage; the outage itself is real.
  const retry = { backoff_initial_ms: 200, backoff_max_ms: 2_000, max_attempts: 1_000, allow_networks: ['loopback'], secret_env: 'T_SECRET' };
  const destinations = loadDestinations(
    {
      destinationsFile: '',
      destinationsJson: JSON.stringify([
        { name: 'failing', type: 'standard-webhooks', url: failing.url, ...retry },
        { name: 'healthy', type: 'standard-webhooks', url: healthy.url, ...retry },
        { name: 'late', type: 'standard-webhooks', url: `http://127.0.0.1:${latePort}/hook`, ...retry },
      ]),
    },
    { T_SECRET: secret },
  );
  registry = createRegistry('notifier');
  service = createNotifierService(t.config, { kafka: createKafka(t.config.kafka, testLog), log: testLog, registry, destinations });
  await service.start();
  outageEndsAt = Date.now() + OUTAGE_MS;
  setTimeout(() => void startTestReceiver(undefined, '/hook', latePort).then((r) => (late = r)), DOWN_MS);
  await produceAlerts(createKafka(t.config.kafka, testLog), t.config.topics.alerts, alerts);
}, 60_000);

afterAll(async () => {
  await service?.stop();
  for (const r of [failing, healthy, late]) await r?.close();
  await t?.clickhouse.close();
});

const distinct = (r: TestReceiver | null) => new Set((r?.accepted() ?? []).map((x) => String(x.headers['webhook-id'])));

describe('notifier through a 60 s outage', () => {
  it('delivers everything to the healthy destination while the other fails', async () => {
    expect(await eventually(async () => distinct(healthy).size === N, 30_000, 100)).toBe(true);
    // All of it arrived while the failing destination was still answering 500.
    expect(Date.now()).toBeLessThan(outageEndsAt);
    expect(failing.accepted()).toHaveLength(0);
    expect(failing.requests.length).toBeGreaterThan(0);
    expect(distinct(healthy)).toEqual(ids);
  });

  it('delivers every alert once the failing receiver recovers; each exactly once after de-duplication by webhook-id', async () => {
    expect(await eventually(async () => distinct(failing).size === N && distinct(late).size === N, OUTAGE_MS + 60_000, 250)).toBe(true);
    for (const r of [failing, late!]) {
      expect(distinct(r)).toEqual(ids);
      for (const req of r.accepted()) {
        // Every accepted request verifies, and its body is the alert its webhook-id names.
        const payload = new Webhook(secret).verify(req.body, req.headers as Record<string, string>) as { data: { alert_id: string } };
        expect(payload.data.alert_id).toBe(req.headers['webhook-id']);
      }
    }
    // The failing receiver saw real retries spread over the outage, and no 2xx before it ended.
    const failures = failing.requests.filter((r) => r.status === 500);
    expect(failures.length).toBeGreaterThan(N);
    expect(Math.min(...failing.accepted().map((r) => r.at))).toBeGreaterThanOrEqual(outageEndsAt);
    const text = await registry.metrics();
    expect(text).toMatch(/mcp_audit_notifier_retried_total\{destination="failing",reason="http_500",service="notifier"\} \d+/);
    expect(text).toMatch(/mcp_audit_notifier_retried_total\{destination="late",reason="network",service="notifier"\} \d+/);
    console.log(
      `outage: ${failures.length} answers of 500 over ${OUTAGE_MS / 1000} s; accepted requests failing=${failing.accepted().length} late=${late!.accepted().length} for ${N} alerts`,
    );
  }, OUTAGE_MS + 90_000);

  it('dead-letters nothing and commits everything', async () => {
    const kafka = createKafka(t.config.kafka, testLog);
    expect(await eventually(() => committedToEnd(kafka, group, t.config.topics.alerts), 10_000)).toBe(true);
    expect(await readTopic(kafka, t.config.topics.alertsDlq, 0, 1_000)).toHaveLength(0);
  });
});
