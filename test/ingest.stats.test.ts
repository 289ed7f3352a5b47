// ingest_stats gets one row per period in which a pipeline did something, with the period's sums,
// its slowest insert and the lag at its end; an idle period writes nothing, and stop writes the
// last period.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qualified, sql } from '../core/sql.ts';
import { IngestStats } from '../ingest/ingest.stats.ts';
import { createTestEnv, queryRows, testLog, type TestEnv } from './support/test.env.ts';

let t: TestEnv;

beforeAll(async () => {
  t = await createTestEnv('ingeststats');
});
afterAll(async () => {
  await t?.clickhouse.close();
});

interface Row {
  topic: string;
  consumed: string;
  inserted: string;
  dead_lettered: string;
  dead_letter_reasons: string[];
  dead_letter_counts: string[];
  insert_ms: number;
  lag: string;
  instance: string;
}

const rows = () =>
  queryRows<Row>(
    t.clickhouse,
    sql`SELECT topic, consumed, inserted, dead_lettered, dead_letter_reasons, dead_letter_counts, insert_ms, lag, instance FROM ${qualified(t.config.clickhouse.database, 'ingest_stats')} ORDER BY consumed`.text,
  );

describe('ingest_stats', () => {
  it('sums a period into one row, writes nothing for an idle one, and writes the last on stop', async () => {
    let lag = 42;
    const stats = new IngestStats(t.clickhouse, testLog, {
      table: `${t.config.clickhouse.database}.ingest_stats`,
      topic: 'events',
      instance: 'host:1',
      lag: () => lag,
      everyMs: 300,
    });
    stats.start();
    stats.read(1000);
    stats.stored(600, 12.5);
    stats.stored(390, 40);
    stats.deadLettered('schema', 7);
    stats.deadLettered('bad_json', 2);
    stats.deadLettered('schema', 1);
    // One period with the counts, then idle periods.
    await new Promise((r) => setTimeout(r, 1_200));
    expect(await rows()).toEqual([
      {
        topic: 'events',
        consumed: '1000',
        inserted: '990',
        dead_lettered: '10',
        dead_letter_reasons: ['schema', 'bad_json'],
        dead_letter_counts: ['8', '2'],
        insert_ms: 40,
        lag: '42',
        instance: 'host:1',
      },
    ]);
    lag = 0;
    stats.read(5);
    stats.stored(5, 3);
    await stats.stop();
    const after = await rows();
    expect(after).toHaveLength(2);
    expect(after[0]).toMatchObject({ consumed: '5', inserted: '5', dead_lettered: '0', dead_letter_reasons: [], insert_ms: 3, lag: '0' });
  });
});
