// A row that passed decoding but that ClickHouse refuses on its own: its batch is split until the
// row stands alone, the row goes to the dead-letter topic with the message's original key and
// bytes, and every other row of the batch is stored. The runner keeps pending messages as numbers
// over columns (ingest/pending.rows.ts), so this checks that the key and value it hands to the
// dead-letter topic are the message's own.
import { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka, idempotentProducerConfig } from '../core/kafka.ts';
import { createRegistry } from '../core/metrics.ts';
import { qualified, sql } from '../core/sql.ts';
import { createIngestMetrics } from '../ingest/ingest.metrics.ts';
import type { IngestPipeline } from '../ingest/ingest.pipeline.ts';
import { createPipelineRunner, type PipelineRunner } from '../ingest/pipeline.runner.ts';
import { createTestEnv, eventually, queryRows, testLog, type TestEnv } from './support/test.env.ts';

let t: TestEnv;
let kafka: Kafka;
let runner: PipelineRunner;

interface Probe {
  id: string;
  note: string;
}

beforeAll(async () => {
  t = await createTestEnv('sinkrej');
  kafka = createKafka(t.config.kafka, testLog);
  await t.clickhouse.command({ query: sql`CREATE TABLE ${qualified(t.config.clickhouse.database, 'probe')} (id UInt32, note String) ENGINE = MergeTree ORDER BY id`.text });
  // Rows are TabSeparated lines made without checks: an id that is not a number reaches ClickHouse,
  // which refuses that row (CANNOT_PARSE) and no other.
  const pipeline: IngestPipeline<Probe> = {
    name: 'probe',
    topic: t.config.topics.events,
    dlqTopic: t.config.topics.eventsDlq,
    groupId: t.config.ingest.groupId,
    decode: (bytes) => ({ ok: true, value: JSON.parse(bytes!.toString()) as Probe }),
    tables: [{ table: 'probe', toRow: (p) => Buffer.from(`${p.id}\t${p.note}\n`), tsvColumns: ['id', 'note'] }],
  };
  const registry = createRegistry('ingest');
  runner = createPipelineRunner(t.config, pipeline, { kafka, clickhouse: t.clickhouse, log: testLog, registry, metrics: createIngestMetrics(registry) });
  await runner.start();
});
afterAll(async () => {
  await runner?.stop();
  await t?.clickhouse.close();
});

describe('a row ClickHouse refuses', () => {
  it('is dead-lettered with its own key and bytes, and the rest of its batch is stored', async () => {
    const producer = kafka.producer(idempotentProducerConfig);
    await producer.connect();
    // All on partition 0, so a message's offset is its index here.
    const messages = Array.from({ length: 300 }, (_, i) => ({
      partition: 0,
      key: `user:${i}`,
      value: JSON.stringify({ id: i === 137 || i === 250 ? `bad-${i}` : String(i), note: `note ${i}` }),
    }));
    await producer.send({ topic: t.config.topics.events, messages });
    await producer.disconnect();

    const table = qualified(t.config.clickhouse.database, 'probe');
    let ids: number[] = [];
    await eventually(async () => {
      ids = (await queryRows<{ id: number }>(t.clickhouse, sql`SELECT id FROM ${table} ORDER BY id`.text)).map((r) => Number(r.id));
      return ids.length >= 298;
    }, 60_000);
    expect(ids).toEqual(Array.from({ length: 300 }, (_, i) => i).filter((i) => i !== 137 && i !== 250));

    const parked: { key: string; value: string; headers: Record<string, string> }[] = [];
    const reader = kafka.consumer({ groupId: `${t.config.ingest.groupId}.dlq-reader`, maxWaitTimeInMs: 200 });
    await reader.connect();
    await reader.subscribe({ topic: t.config.topics.eventsDlq, fromBeginning: true });
    void reader.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        parked.push({ key: String(message.key), value: String(message.value), headers });
      },
    });
    await eventually(async () => parked.length >= 2, 30_000);
    await reader.disconnect();
    parked.sort((a, b) => a.key.localeCompare(b.key));
    expect(parked.map((p) => [p.key, p.value])).toEqual([
      ['user:137', messages[137]!.value],
      ['user:250', messages[250]!.value],
    ]);
    for (const p of parked) {
      expect(p.headers['mcp-audit-reason']).toBe('sink_rejected');
      expect(p.headers['mcp-audit-step']).toBe('insert');
      expect(p.headers['mcp-audit-source-topic']).toBe(t.config.topics.events);
    }
    expect(parked.map((p) => [p.headers['mcp-audit-source-partition'], p.headers['mcp-audit-source-offset']])).toEqual([
      ['0', '137'],
      ['0', '250'],
    ]);
  });
});
