// N valid events produced through the producer library -> exactly N distinct events in ClickHouse,
// with every field as sent (checked value by value on a sample, not only counted) and the capability
// class the detector's classifier gives it; v1 and v2 events side by side on one topic, each v2
// column as sent and empty for v1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { list, qualified, sql } from '../core/sql.ts';
import type { AuditEvent } from '../schemas/event.ts';
import { loadCatalogue } from '../classify/catalogue.ts';
import { classify } from '../classify/classify.ts';
import { eventFromRow } from '../detector/event.from-row.ts';
import type { IngestService } from '../ingest/ingest.service.ts';
import { toEventRow } from '../ingest/event.row.ts';
import type { AuditProducer } from '../producer/audit.producer.ts';
import { makeEvents } from './support/events.factory.ts';
import { makeEventsV2 } from './support/events.v2.factory.ts';
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

/** Every column of each sampled event's stored row equals the flattening of the event that was sent. */
async function expectStoredAsSent(sample: readonly AuditEvent[]): Promise<Record<string, unknown>[]> {
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
  return sample.map((e) => byId.get(e.event_id)!);
}

describe('ingest round trip', () => {
  it('stores N produced events exactly once, every field as sent', async () => {
    const events = makeEvents(5_000, { seed: 42 });
    await producer.sendMany(events);
    expect(await waitForDistinct(t, events.length)).toBe(events.length);
    expect(await eventCounts(t)).toEqual({ distinct: events.length, final: events.length });

    // Compare a sample of stored rows with the flattening of the event that was sent.
    await expectStoredAsSent(events.filter((_, i) => i % 97 === 0));
    const table = qualified(t.config.clickhouse.database, 'events');
    // The factory's tools are catalogued ones: every tool call is classified, none inferred.
    const classes = await queryRows<{ unclassified: string; inferred: string; classes: string }>(
      t.clickhouse,
      sql`SELECT countIf(tool_class = '') AS unclassified, countIf(tool_class_inferred = 1) AS inferred, uniqExact(tool_class) AS classes FROM ${table} WHERE kind = 'tool_call'`.text,
    );
    expect(classes[0]).toMatchObject({ unclassified: '0', inferred: '0' });
    expect(Number(classes[0]!.classes)).toBeGreaterThan(3);
  });

  it('stores v1 and v2 events side by side, every v2 column as sent and empty for v1', async () => {
    const before = (await eventCounts(t)).distinct;
    // Later than the first test's events, interleaved one by one as mixed producers would send them.
    const startMs = Date.UTC(2025, 5, 3, 9, 0, 0);
    const v1 = makeEvents(300, { seed: 43, startMs });
    const v2 = makeEventsV2(300, { seed: 44, startMs });
    const mixed = v1.flatMap((e, i) => [e, v2[i]!]);
    await producer.sendMany(mixed);
    expect(await waitForDistinct(t, before + mixed.length)).toBe(before + mixed.length);
    expect(await eventCounts(t)).toEqual({ distinct: before + mixed.length, final: before + mixed.length });

    // Every v2 event is compared (not a sample), so each new column is seen with values in it.
    const storedV2 = await expectStoredAsSent(v2);
    for (const column of ['hash_key_id', 'args_hmac', 'result_hmac', 'episode_id', 'episode_basis', 'conversation_id']) {
      expect(storedV2.some((r) => r[column] !== ''), column).toBe(true);
    }
    for (const column of ['args_keys', 'args_secrets', 'result_secrets', 'fp_args', 'fp_result', 'fp_destinations']) {
      expect(storedV2.some((r) => (r[column] as unknown[]).length > 0), column).toBe(true);
    }
    expect(storedV2.some((r) => r.args_truncated === 1) && storedV2.some((r) => r.result_truncated === 1)).toBe(true);
    expect(storedV2.some((r) => (r.listed_tool_input_keys as string[][]).some((keys) => keys.length > 0))).toBe(true);
    for (const r of storedV2) expect([r.schema_version, r.args_sha256, r.result_sha256]).toEqual([2, '', '']);

    const storedV1 = await expectStoredAsSent(v1);
    for (const r of storedV1) {
      expect(r.schema_version).toBe(1);
      expect([r.hash_key_id, r.args_hmac, r.result_hmac, r.episode_id, r.episode_basis, r.conversation_id]).toEqual(['', '', '', '', '', '']);
      expect([r.args_keys, r.args_secrets, r.result_secrets, r.fp_args, r.fp_result, r.fp_destinations, r.listed_tool_input_keys]).toEqual([[], [], [], [], [], [], []]);
      expect([r.args_truncated, r.result_truncated]).toEqual([0, 0]);
    }
    expect(storedV1.some((r) => r.args_sha256 !== '')).toBe(true);

    // What the detector's state rebuild reads back (SELECT * as JSONEachRow) is the event that was sent,
    // in its own version: fingerprints, episode, argument names and secret kinds included.
    const sent = (e: AuditEvent) => JSON.parse(JSON.stringify(e)) as AuditEvent;
    v2.forEach((e, i) => expect(eventFromRow(storedV2[i]!), e.event_id).toEqual(sent(e)));
    v1.forEach((e, i) => expect(eventFromRow(storedV1[i]!), e.event_id).toEqual(sent(e)));
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
