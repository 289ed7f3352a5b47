// N valid events produced through the producer library -> exactly N distinct events in ClickHouse,
// with every field as sent (checked value by value on a sample, not only counted) and the capability
// class the detector's classifier gives it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { list, qualified, sql } from '../core/sql.ts';
import { loadCatalogue } from '../detector/catalogue/catalogue.ts';
import { classify } from '../detector/classify.ts';
import type { IngestService } from '../ingest/ingest.service.ts';
import { toEventRow } from '../ingest/event.row.ts';
import type { AuditProducer } from '../producer/audit.producer.ts';
import { makeEvents } from './support/events.factory.ts';
import { connectProducer, eventCounts, startIngest, waitForDistinct } from './support/ingest.harness.ts';
import { createTestEnv, queryRows, type TestEnv } from './support/test.env.ts';

let t: TestEnv;
let ingest: IngestService;
let producer: AuditProducer;

beforeAll(async () => {
  t = await createTestEnv('roundtrip');
  ingest = await startIngest(t);
  producer = await connectProducer(t);
});
afterAll(async () => {
  await producer?.disconnect();
  await ingest?.stop();
  await t?.clickhouse.close();
});

describe('ingest round trip', () => {
  it('stores N produced events exactly once, every field as sent', async () => {
    const events = makeEvents(5_000, { seed: 42 });
    await producer.sendMany(events);
    expect(await waitForDistinct(t, events.length)).toBe(events.length);
    expect(await eventCounts(t)).toEqual({ distinct: events.length, final: events.length });

    // Compare a sample of stored rows with the flattening of the event that was sent.
    const sample = events.filter((_, i) => i % 97 === 0);
    const table = qualified(t.config.clickhouse.database, 'events');
    const rows = await queryRows<Record<string, unknown>>(
      t.clickhouse,
      sql`SELECT * FROM ${table} FINAL WHERE event_id IN (${list(sample.map((e) => e.event_id))})`.text,
    );
    expect(rows).toHaveLength(sample.length);
    const byId = new Map(rows.map((r) => [r.event_id, r]));
    const catalogue = loadCatalogue();
    for (const e of sample) {
      const stored = byId.get(e.event_id)!;
      const expected = toEventRow(e, { topic: t.config.topics.events, partition: 0, offset: '0' }, 0, classify(e, catalogue));
      for (const [column, value] of Object.entries(expected)) {
        if (['kafka_partition', 'kafka_offset', 'ingested_at', 'ts'].includes(column)) continue;
        // ClickHouse's JSON output writes 64-bit integers as strings.
        const got = column === 'ts_ms' ? Number(stored[column]) : stored[column];
        expect(got, `${e.event_id} ${column}`).toEqual(value);
      }
      expect(Date.parse(`${String(stored.ts).replace(' ', 'T')}Z`)).toBe(Math.floor(Date.parse(e.ts) / 1000) * 1000);
      expect(stored.kafka_topic).toBe(t.config.topics.events);
    }
    // The factory's tools are catalogued ones: every tool call is classified, none inferred.
    const classes = await queryRows<{ unclassified: string; inferred: string; classes: string }>(
      t.clickhouse,
      sql`SELECT countIf(tool_class = '') AS unclassified, countIf(tool_class_inferred = 1) AS inferred, uniqExact(tool_class) AS classes FROM ${table} WHERE kind = 'tool_call'`.text,
    );
    expect(classes[0]).toMatchObject({ unclassified: '0', inferred: '0' });
    expect(Number(classes[0]!.classes)).toBeGreaterThan(3);
  });

  it('keeps each user in one partition (key tenant_id:user_id)', async () => {
    const table = qualified(t.config.clickhouse.database, 'events');
    const rows = await queryRows<{ partitions: string }>(
      t.clickhouse,
      sql`SELECT uniqExact(kafka_partition) AS partitions FROM ${table} GROUP BY tenant_id, user_id`.text,
    );
    expect(rows.length).toBeGreaterThan(1);
    for (const r of rows) expect(Number(r.partitions)).toBe(1);
  });
});
