// A fetch of about 1 MiB of messages that are not alerts: each is parked in the alerts DLQ with its
// reason and the notifier stays up. Sent back in one request, the same bytes plus the reason
// headers exceed the broker's default message limit (1 MiB), which kept the notifier retrying until
// it was stopped; dead letters now go in requests the broker accepts.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../core/kafka.ts';
import { createRegistry } from '../core/metrics.ts';
import { loadDestinations } from '../notifier/destinations.config.ts';
import { createNotifierService, type NotifierService } from '../notifier/notifier.service.ts';
import { committedToEnd, headersOf, readTopic } from './support/alerts.factory.ts';
import { startTestReceiver, type TestReceiver } from './support/siem.receiver.ts';
import { createTestEnv, eventually, testLog, type TestEnv } from './support/test.env.ts';

// 26 values of 40,200 bytes: one produce request of about 1,045,800 bytes, just under the broker's
// 1,048,588; the reason headers of the dead letters push the same batch over it.
const COUNT = 26;
const SIZE = 40_200;
const group = `t.notifier.dlqlarge.${randomBytes(4).toString('hex')}`;
let t: TestEnv;
let service: NotifierService;
let receiver: TestReceiver;

beforeAll(async () => {
  t = await createTestEnv('notifier_dlq_large', { MCP_AUDIT_NOTIFIER_GROUP_ID: group, MCP_AUDIT_NOTIFIER_HEALTH_PORT: '0' });
  receiver = await startTestReceiver();
  const destinations = loadDestinations(
    { destinationsFile: '', destinationsJson: JSON.stringify([{ name: 'siem', type: 'ecs', url: receiver.url, allow_networks: ['loopback'] }]) },
    {},
  );
  const kafka = createKafka(t.config.kafka, testLog);
  // Produced before the notifier starts, in one request to one partition, so its first fetch holds them all.
  const producer = kafka.producer();
  await producer.connect();
  const value = (i: number) => JSON.stringify({ not: 'an alert', i, pad: 'x'.repeat(SIZE - 40) });
  await producer.send({ topic: t.config.topics.alerts, messages: Array.from({ length: COUNT }, (_, i) => ({ key: 'bad:bad', value: value(i) })) });
  await producer.disconnect();
  service = createNotifierService(t.config, { kafka: createKafka(t.config.kafka, testLog), log: testLog, registry: createRegistry('notifier'), destinations, clickhouse: t.clickhouse });
  await service.start();
});

afterAll(async () => {
  await service?.stop();
  await receiver?.close();
  await t?.clickhouse.close();
});

describe('notifier dead letters of a large fetch', () => {
  it('parks every message of a ~1 MiB fetch, commits, and stays up', { timeout: 180_000 }, async () => {
    const kafka = createKafka(t.config.kafka, testLog);
    expect(await eventually(() => committedToEnd(kafka, group, t.config.topics.alerts), 120_000)).toBe(true);
    const parked = await readTopic(kafka, t.config.topics.alertsDlq, COUNT);
    expect(parked).toHaveLength(COUNT);
    expect(new Set(parked.map((m) => headersOf(m)['mcp-audit-reason']))).toEqual(new Set(['invalid_alert']));
    expect(parked.map((m) => JSON.parse(m.value!.toString()).i).sort((a, b) => a - b)).toEqual(Array.from({ length: COUNT }, (_, i) => i));
    expect(receiver.requests).toHaveLength(0);
    expect(service.unhealthy()).toBeNull();
  });
});
