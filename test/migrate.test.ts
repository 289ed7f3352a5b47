// Migrations are recorded and re-runnable; retention drops whole days past the retention period.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse } from '../core/clickhouse.ts';
import { qualified, sql } from '../core/sql.ts';
import { loadMigrations, migrate, runStatement, splitStatements } from '../migrations/migrate.ts';
import { dropOldPartitions } from '../migrations/retention.ts';
import { toEventRow } from '../ingest/event.row.ts';
import { makeEvent } from './support/events.factory.ts';
import { createTestEnv, queryRows, testLog, type TestEnv } from './support/test.env.ts';

let t: TestEnv;
beforeAll(async () => {
  t = await createTestEnv('migrate');
});
afterAll(async () => t?.clickhouse.close());

describe('migrations', () => {
  it('splits statements and drops comment lines', () => {
    // Only a `;` that ends a line ends a statement.
    expect(splitStatements('-- a comment;\nCREATE x (a; b,\n  c);\n\nSELECT 1;\n')).toEqual(['CREATE x (a; b,\n  c)', 'SELECT 1']);
  });

  it('records what it applied and skips it the next time', async () => {
    const all = await loadMigrations(t.config.clickhouse.database);
    const admin = createClickHouse({ ...t.config.clickhouse, database: null });
    const again = await migrate(admin, t.config.clickhouse.database, testLog);
    await admin.close();
    expect(again.applied).toEqual([]);
    expect(again.skipped).toEqual(all.map((m) => m.name));
    const rows = await queryRows<{ version: number; name: string }>(
      t.clickhouse,
      sql`SELECT version, name FROM ${qualified(t.config.clickhouse.database, 'schema_migrations')} FINAL ORDER BY version`.text,
    );
    expect(rows.map((r) => r.name)).toEqual(all.map((m) => m.name));
  });

  it('adds the v2 columns once: running 0006 again (cut off half way, say) changes nothing', async () => {
    const db = t.config.clickhouse.database;
    const v2 = (await loadMigrations(db)).find((m) => m.name === '0006_events_v2')!;
    const describe = () => queryRows<{ name: string; type: string }>(t.clickhouse, sql`DESCRIBE TABLE ${qualified(db, 'events')}`.text);
    const before = await describe();
    for (const statement of v2.statements) await runStatement(t.clickhouse, statement);
    expect(await describe()).toEqual(before);
    const types = Object.fromEntries(before.map((c) => [c.name, c.type]));
    expect(types).toMatchObject({
      hash_key_id: 'String', args_hmac: 'String', args_keys: 'Array(String)', args_secrets: 'Array(String)', args_truncated: 'UInt8',
      result_hmac: 'String', result_secrets: 'Array(String)', result_truncated: 'UInt8',
      fp_args: 'Array(String)', fp_result: 'Array(String)', fp_destinations: 'Array(String)',
      episode_id: 'String', episode_basis: 'String', conversation_id: 'String', listed_tool_input_keys: 'Array(Array(String))',
      args_sha256: 'String', result_sha256: 'String',
    });
  });
});

describe('retention', () => {
  it('drops daily partitions older than the retention period and keeps the rest', async () => {
    const now = new Date('2026-11-20T12:00:00Z');
    const days = ['2026-08-01T10:00:00.000Z', '2026-11-19T10:00:00.000Z', '2026-11-20T10:00:00.000Z'];
    const rows = days.map((ts) => toEventRow(makeEvent({ ts }), { topic: 'x', partition: 0, offset: '0' }, 0));
    await t.clickhouse.insert({ table: `${t.config.clickhouse.database}.events`, values: rows, format: 'JSONEachRow' });

    const dry = await dropOldPartitions(t.clickhouse, t.config.clickhouse.database, 30, { dryRun: true, log: testLog, now });
    expect(dry).toEqual(['events/20260801']);
    const dropped = await dropOldPartitions(t.clickhouse, t.config.clickhouse.database, 30, { dryRun: false, log: testLog, now });
    expect(dropped).toEqual(['events/20260801']);
    const left = await queryRows<{ ts: string }>(t.clickhouse, sql`SELECT ts FROM ${qualified(t.config.clickhouse.database, 'events')} ORDER BY ts`.text);
    expect(left.map((r) => r.ts)).toEqual(['2026-11-19 10:00:00', '2026-11-20 10:00:00']);
  });
});
