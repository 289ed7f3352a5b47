// Runs the ingest service in this process against a test environment, and reads what landed.
import { createKafka } from '../../core/kafka.ts';
import { createRegistry } from '../../core/metrics.ts';
import { createIngestService, type IngestService } from '../../ingest/ingest.service.ts';
import { AuditProducer } from '../../producer/audit.producer.ts';
import { qualified, sql } from '../../core/sql.ts';
import { eventually, queryRows, testLog, type TestEnv } from './test.env.ts';

export async function startIngest(t: TestEnv): Promise<IngestService> {
  const service = createIngestService(t.config, {
    kafka: createKafka(t.config.kafka, testLog),
    clickhouse: t.clickhouse,
    log: testLog,
    registry: createRegistry('ingest'),
  });
  await service.start();
  return service;
}

export async function connectProducer(t: TestEnv): Promise<AuditProducer> {
  const p = new AuditProducer(createKafka(t.config.kafka, testLog), { topic: t.config.topics.events, maxBatch: 2000 });
  await p.connect();
  return p;
}

/** Distinct events visible to queries, and rows counted through FINAL (duplicates collapsed). */
export async function eventCounts(t: TestEnv): Promise<{ distinct: number; final: number }> {
  const table = qualified(t.config.clickhouse.database, 'events');
  const [row] = await queryRows<{ distinct: string; final: string }>(
    t.clickhouse,
    sql`SELECT uniqExact(event_id) AS distinct, (SELECT count() FROM ${table} FINAL) AS final FROM ${table}`.text,
  );
  return { distinct: Number(row!.distinct), final: Number(row!.final) };
}

export async function waitForDistinct(t: TestEnv, n: number, timeoutMs = 60_000): Promise<number> {
  let last = 0;
  await eventually(async () => (last = (await eventCounts(t)).distinct) >= n, timeoutMs);
  return last;
}

/** Rows in `events` as stored, duplicates included (until a background merge collapses them). */
export async function rawEventCount(t: TestEnv): Promise<number> {
  const [row] = await queryRows<{ n: string }>(t.clickhouse, sql`SELECT count() AS n FROM ${qualified(t.config.clickhouse.database, 'events')}`.text);
  return Number(row!.n);
}

/** Every event id in `events`, through FINAL. */
export async function storedEventIds(t: TestEnv): Promise<Set<string>> {
  const rows = await queryRows<{ event_id: string }>(t.clickhouse, sql`SELECT event_id FROM ${qualified(t.config.clickhouse.database, 'events')} FINAL`.text);
  return new Set(rows.map((r) => r.event_id));
}

/** A counter of the events topic on an ingest process's /metrics (`port`); 0 while it does not answer. */
export async function ingestMetric(t: TestEnv, port: number, name: string): Promise<number> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`topic="${t.config.topics.events}"`));
    return line ? Number(line.split(' ').pop()) : 0;
  } catch {
    return 0;
  }
}
