// Smoke test of the pipeline on Kafka 4.1.2 (the default stack runs 3.9.2): a 4.1.2 broker on its
// own ports, the producer library, ingest into ClickHouse, and the dead-letter path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka, idempotentProducerConfig } from '../core/kafka.ts';
import type { IngestService } from '../ingest/ingest.service.ts';
import { stopKafka, type KafkaInstance } from '../stack/stack.ts';
import { makeEvents } from './support/events.factory.ts';
import { connectProducer, eventCounts, startIngest, waitForDistinct } from './support/ingest.harness.ts';
import { brokersOf, startPrivateKafka } from './support/private.kafka.ts';
import { createTestEnv, eventually, testLog, type TestEnv } from './support/test.env.ts';

let broker: KafkaInstance;
let t: TestEnv;
let ingest: IngestService;

beforeAll(async () => {
  broker = await startPrivateKafka('kafka41', '4.1.2');
  t = await createTestEnv('kafka41', { MCP_AUDIT_KAFKA_BROKERS: brokersOf(broker) });
  ingest = await startIngest(t);
}, 900_000);
afterAll(async () => {
  await ingest?.stop();
  await t?.clickhouse.close();
  if (broker) await stopKafka(broker);
});

describe('pipeline on Kafka 4.1.2', () => {
  it('produces, ingests and dead-letters as on 3.9', async () => {
    const producer = await connectProducer(t);
    const events = makeEvents(2_000, { seed: 41 });
    await producer.sendMany(events);
    await producer.disconnect();

    const raw = createKafka(t.config.kafka, testLog).producer(idempotentProducerConfig);
    await raw.connect();
    await raw.send({ topic: t.config.topics.events, messages: [{ key: 'x:y', value: Buffer.from('{"not": "an event"') }] });
    await raw.disconnect();

    expect(await waitForDistinct(t, events.length)).toBe(events.length);
    expect(await eventCounts(t)).toEqual({ distinct: events.length, final: events.length });
    // The bad message is dead-lettered with its own partition's batch, which can commit after the
    // 2,000 good rows are visible: wait for its record, then check there is exactly one.
    const dlq = createKafka(t.config.kafka, testLog).admin();
    await dlq.connect();
    const dlqRecords = async () => (await dlq.fetchTopicOffsets(t.config.topics.eventsDlq)).reduce((n, o) => n + Number(o.high), 0);
    await eventually(async () => (await dlqRecords()) >= 1, 30_000);
    const records = await dlqRecords();
    await dlq.disconnect();
    expect(records).toBe(1);
  });
});
