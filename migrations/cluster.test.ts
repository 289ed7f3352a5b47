// The cluster rewrite of the migrations, checked on the SQL it produces. It cannot run here: ON
// CLUSTER and Replicated engines need ZooKeeper/Keeper and more than one server (docs/scaling.md).
import { describe, expect, it } from 'vitest';
import { toClusterStatements, shardingKey } from './cluster.ts';
import { loadMigrations } from './migrate.ts';

const opts = { cluster: 'audit' };

describe('cluster migrations', () => {
  it('puts ON CLUSTER on CREATE DATABASE', () => {
    expect(toClusterStatements('CREATE DATABASE IF NOT EXISTS `mcp_audit`', opts)).toEqual([
      'CREATE DATABASE IF NOT EXISTS `mcp_audit` ON CLUSTER `audit`',
    ]);
  });

  it('turns a table into a replicated local table and a Distributed table under the old name', () => {
    const out = toClusterStatements(
      "CREATE TABLE IF NOT EXISTS `db`.events\n(\n    event_id String,\n    tenant_id String,\n    user_id String,\n    note String DEFAULT 'a)b',\n    ts DateTime\n)\nENGINE = ReplacingMergeTree()\nPARTITION BY toYYYYMMDD(ts)\nORDER BY (tenant_id, user_id, ts, event_id)",
      opts,
    );
    expect(out).toEqual([
      "CREATE TABLE IF NOT EXISTS `db`.`events_local` ON CLUSTER `audit` (\n    event_id String,\n    tenant_id String,\n    user_id String,\n    note String DEFAULT 'a)b',\n    ts DateTime\n)\n" +
        "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/db/events', '{replica}')\nPARTITION BY toYYYYMMDD(ts)\nORDER BY (tenant_id, user_id, ts, event_id)",
      "CREATE TABLE IF NOT EXISTS `db`.`events` ON CLUSTER `audit` AS `db`.`events_local`\nENGINE = Distributed('audit', 'db', 'events_local', cityHash64(tenant_id, user_id))",
    ]);
  });

  it('keeps engine arguments (the version column) after the ZooKeeper path and replica', () => {
    const [local] = toClusterStatements('CREATE TABLE IF NOT EXISTS db.incidents (tenant_id String, incident_id String, version UInt64) ENGINE = ReplacingMergeTree(version) ORDER BY (tenant_id, incident_id)', opts);
    expect(local).toContain("ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/db/incidents', '{replica}', version) ORDER BY (tenant_id, incident_id)");
  });

  it('shards by tenant when a table has tenant_id, evenly otherwise', () => {
    expect(shardingKey('baselines', '(tenant_id String, user_id String)')).toBe('cityHash64(tenant_id)');
    expect(shardingKey('ingest_stats', '(ts DateTime, topic String)')).toBe('rand()');
    expect(shardingKey('incidents', '(tenant_id String)')).toBe('cityHash64(tenant_id, incident_id)');
  });

  it('applies column changes to both tables and other ALTERs to the local table only', () => {
    expect(toClusterStatements('ALTER TABLE `db`.events ADD COLUMN IF NOT EXISTS x String', opts)).toEqual([
      'ALTER TABLE `db`.`events_local` ON CLUSTER `audit` ADD COLUMN IF NOT EXISTS x String',
      'ALTER TABLE `db`.`events` ON CLUSTER `audit` ADD COLUMN IF NOT EXISTS x String',
    ]);
    expect(toClusterStatements('ALTER TABLE db.events DROP PARTITION 20250101', opts)).toEqual([
      'ALTER TABLE `db`.`events_local` ON CLUSTER `audit` DROP PARTITION 20250101',
    ]);
  });

  it('adds the v2 columns to the replicated local table and the Distributed table, each re-runnable', async () => {
    const v2 = (await loadMigrations('mcp_audit')).find((m) => m.name === '0006_events_v2')!;
    expect(v2.statements.length).toBeGreaterThanOrEqual(15);
    for (const statement of v2.statements) {
      const column = /ADD COLUMN IF NOT EXISTS (\w+ .+)$/.exec(statement)![1]!;
      expect(toClusterStatements(statement, opts)).toEqual([
        `ALTER TABLE \`mcp_audit\`.\`events_local\` ON CLUSTER \`audit\` ADD COLUMN IF NOT EXISTS ${column}`,
        `ALTER TABLE \`mcp_audit\`.\`events\` ON CLUSTER \`audit\` ADD COLUMN IF NOT EXISTS ${column}`,
      ]);
    }
  });

  it('refuses what it cannot rewrite instead of half-applying it', () => {
    expect(() => toClusterStatements('CREATE MATERIALIZED VIEW db.mv TO db.t AS SELECT 1', opts)).toThrow(/cannot rewrite/);
    expect(() => toClusterStatements('CREATE TABLE IF NOT EXISTS db.k (a String) ENGINE = Kafka()', opts)).toThrow(/MergeTree/);
    expect(() => toClusterStatements('CREATE DATABASE IF NOT EXISTS db', { cluster: 'a`; DROP' })).toThrow(/cluster name/);
  });

  it('rewrites every statement of every migration in this folder, and every table gets both forms', async () => {
    for (const m of await loadMigrations('mcp_audit')) {
      for (const statement of m.statements) {
        const out = toClusterStatements(statement, opts);
        for (const s of out) expect(s).toMatch(/ ON CLUSTER `audit`/);
        const table = /^CREATE TABLE IF NOT EXISTS `mcp_audit`\.`?(\w+)`?/.exec(statement)?.[1];
        if (!table) continue;
        expect(out, `${m.name}: ${table}`).toHaveLength(2);
        expect(out[0]).toMatch(new RegExp(`^CREATE TABLE IF NOT EXISTS \`mcp_audit\`\\.\`${table}_local\` ON CLUSTER \`audit\` \\(`));
        expect(out[0]).toMatch(new RegExp(`ENGINE = Replicated\\w*MergeTree\\('/clickhouse/tables/\\{shard\\}/mcp_audit/${table}', '\\{replica\\}'`));
        expect(out[1]).toMatch(new RegExp(`ENGINE = Distributed\\('audit', 'mcp_audit', '${table}_local', .+\\)$`));
      }
    }
  });
});
