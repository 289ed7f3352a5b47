// Crash safety: `mcp-audit notifier` (a real child process) is SIGKILLed while deliveries are in
// flight and started again. No alert may be lost; a repeat is allowed only as a re-delivery of the
// same alert, carrying the same webhook-id (so the receiver can de-duplicate it).
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../core/kafka.ts';
import { startTestReceiver, type TestReceiver } from './support/siem.receiver.ts';
import { committedToEnd, makeAlerts, produceAlerts, readTopic } from './support/alerts.factory.ts';
import { spawnCli, type Child } from './support/child.ts';
import { createTestEnv, eventually, testLog, type TestEnv } from './support/test.env.ts';

const N = 300;
const alerts = makeAlerts(N, 33);
const ids = new Set(alerts.map((a) => a.alert_id));
const secret = `whsec_${randomBytes(24).toString('base64')}`;
const group = `t.notifier.sigkill.${randomBytes(4).toString('hex')}`;
let t: TestEnv;
let receiver: TestReceiver;
const children: Child[] = [];

beforeAll(async () => {
  t = await createTestEnv('notifier_sigkill', { MCP_AUDIT_NOTIFIER_GROUP_ID: group, MCP_AUDIT_NOTIFIER_HEALTH_PORT: '0' });
  // A slow receiver (20 ms per answer, 2 requests at a time) keeps deliveries in flight for seconds,
  // so the kill lands between answered and committed alerts.
  receiver = await startTestReceiver(() => ({ status: 200, delayMs: 20 }));
});
afterAll(async () => {
  for (const c of children) c.proc.kill('SIGKILL');
  await receiver?.close();
  await t?.clickhouse.close();
});

const distinctAccepted = () => new Set(receiver.accepted().map((r) => String(r.headers['webhook-id'])));

describe('notifier killed with SIGKILL', () => {
  it('loses no alert; repeats carry the same webhook-id', async () => {
    const env = {
      ...t.env,
      MCP_AUDIT_NOTIFIER_DESTINATIONS_JSON: JSON.stringify([
        { name: 'siem', type: 'standard-webhooks', url: receiver.url, secret_env: 'T_NOTIFIER_SECRET', concurrency: 2, allow_networks: ['loopback'] },
      ]),
      T_NOTIFIER_SECRET: secret,
    };
    await produceAlerts(createKafka(t.config.kafka, testLog), t.config.topics.alerts, alerts);
    const first = spawnCli(['notifier'], env);
    children.push(first);
    expect(await eventually(async () => distinctAccepted().size >= 60, 60_000, 20), first.output()).toBe(true);
    first.proc.kill('SIGKILL');
    await first.exited;
    const atKill = distinctAccepted().size;
    expect(atKill).toBeLessThan(N);

    const second = spawnCli(['notifier'], env);
    children.push(second);
    expect(await eventually(async () => distinctAccepted().size === N, 90_000, 100), second.output()).toBe(true);

    // No alert lost; every request verifies and carries the id of the alert in its body.
    expect(distinctAccepted()).toEqual(ids);
    const perId = new Map<string, number>();
    for (const r of receiver.accepted()) {
      const payload = new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as { data: { alert_id: string } };
      expect(payload.data.alert_id).toBe(r.headers['webhook-id']);
      perId.set(payload.data.alert_id, (perId.get(payload.data.alert_id) ?? 0) + 1);
    }
    const repeats = [...perId.values()].filter((n) => n > 1).length;
    console.log(`sigkill: ${atKill} of ${N} alerts accepted at the kill; ${receiver.accepted().length} requests; ${repeats} alerts re-delivered (same webhook-id)`);

    const kafka = createKafka(t.config.kafka, testLog);
    expect(await eventually(() => committedToEnd(kafka, group, t.config.topics.alerts), 15_000)).toBe(true);
    expect(await readTopic(kafka, t.config.topics.alertsDlq, 0, 1_000)).toHaveLength(0);
    second.proc.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
