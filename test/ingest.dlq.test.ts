// 1,000 fuzzed invalid inputs -> every one in the dead-letter topic with a reason and its original
// bytes; none in `events`; and the consumer keeps running (valid events after them still land).
import { Kafka, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka, idempotentProducerConfig } from '../core/kafka.ts';
import type { IngestService } from '../ingest/ingest.service.ts';
import { makeEvents } from './support/events.factory.ts';
import { makeEventsV2 } from './support/events.v2.factory.ts';
import { makeInvalidInputs } from './support/invalid.corpus.ts';
import { connectProducer, eventCounts, startIngest, waitForDistinct } from './support/ingest.harness.ts';
import { createTestEnv, testLog, type TestEnv } from './support/test.env.ts';

let t: TestEnv;
let kafka: Kafka;
let raw: Producer;
let ingest: IngestService;

beforeAll(async () => {
  t = await createTestEnv('dlq');
  kafka = createKafka(t.config.kafka, testLog);
  raw = kafka.producer(idempotentProducerConfig);
  await raw.connect();
  ingest = await startIngest(t);
});
afterAll(async () => {
  await raw?.disconnect();
  await ingest?.stop();
  await t?.clickhouse.close();
});

interface Parked {
  value: Buffer | null;
  headers: Record<string, string>;
}

async function readDlq(expected: number, timeoutMs = 60_000): Promise<Parked[]> {
  const consumer = kafka.consumer({ groupId: `${t.config.ingest.groupId}.dlq-reader`, maxWaitTimeInMs: 200 });
  const parked: Parked[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: t.config.topics.eventsDlq, fromBeginning: true });
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        parked.push({ value: message.value, headers });
        if (parked.length >= expected) resolve();
      },
    });
  });
  await Promise.race([done, new Promise((r) => setTimeout(r, timeoutMs))]);
  await consumer.disconnect();
  return parked;
}

describe('ingest dead-letters invalid input', () => {
  it('parks all 1,000 fuzzed inputs with a reason, stores none, and keeps consuming', async () => {
    const inputs = makeInvalidInputs(1000, t.config.event.maxBytes);
    // Valid events of both contract versions, so neither is held back by the junk.
    const valid = [...makeEvents(25, { seed: 7 }), ...makeEventsV2(25, { seed: 17 })];
    // Invalid and valid input interleaved, so good events arrive before, between and after bad ones.
    const messages = inputs.map((x, i) => ({ key: `fuzz:${i % 13}`, value: x.bytes }));
    for (let i = 0; i < valid.length; i++) {
      messages.splice(i * 21, 0, { key: `${valid[i]!.tenant_id}:${valid[i]!.actor.user_id}`, value: Buffer.from(JSON.stringify(valid[i])) });
    }
    for (let i = 0; i < messages.length; i += 200) {
      await raw.send({ topic: t.config.topics.events, messages: messages.slice(i, i + 200) });
    }

    const parked = await readDlq(inputs.length);
    expect(parked).toHaveLength(inputs.length);
    const reasons = new Set(['empty', 'oversize', 'not_utf8', 'bad_json', 'not_object', 'unknown_version', 'schema']);
    for (const p of parked) {
      expect(reasons.has(p.headers['mcp-audit-reason']!), p.headers['mcp-audit-reason']).toBe(true);
      expect(['decode', 'validate']).toContain(p.headers['mcp-audit-step']);
      expect(p.headers['mcp-audit-source-topic']).toBe(t.config.topics.events);
      expect(Number(p.headers['mcp-audit-source-offset'])).toBeGreaterThanOrEqual(0);
      expect(Number.isNaN(Date.parse(p.headers['mcp-audit-time']!))).toBe(false);
    }
    // The original bytes are kept unchanged: every fuzzed payload is found in the DLQ.
    const parkedBytes = new Set(parked.map((p) => (p.value ?? Buffer.alloc(0)).toString('base64')));
    for (const x of inputs) expect(parkedBytes.has(x.bytes.toString('base64'))).toBe(true);

    expect(await waitForDistinct(t, valid.length)).toBe(valid.length);
    expect(await eventCounts(t)).toEqual({ distinct: valid.length, final: valid.length });

    // Still running: a later valid event lands too.
    const p = await connectProducer(t);
    await p.sendMany(makeEvents(1, { seed: 8 }));
    await p.disconnect();
    expect(await waitForDistinct(t, valid.length + 1)).toBe(valid.length + 1);
  });
});
