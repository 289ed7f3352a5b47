// Removes what earlier test runs left on the shared stack: each test makes a database `t_<suffix>`
// and topics `t.<suffix>.*` and never drops them (a failed test's data is what one debugs). Only
// those older than `olderThanMs` go, so a test run going on next to this one keeps its own.
import { createClickHouse } from '../../core/clickhouse.ts';
import type { Config } from '../../core/config.ts';
import { createKafka } from '../../core/kafka.ts';
import type { Logger } from '../../core/logger.ts';
import { ident, sql } from '../../core/sql.ts';

export async function dropTestLeftovers(config: Config, log: Logger, olderThanMs: number): Promise<{ databases: number; topics: number }> {
  const ch = createClickHouse({ ...config.clickhouse, database: null });
  const kafka = createKafka(config.kafka, log);
  const admin = kafka.admin();
  try {
    const cutoff = Math.floor((Date.now() - olderThanMs) / 1000);
    // The creation time of a test database is that of its first migrated table.
    const old = await (
      await ch.query({
        query: sql`SELECT database FROM system.tables WHERE startsWith(database, 't_') AND name = 'schema_migrations'
          AND metadata_modification_time < toDateTime(${cutoff})`.text,
        format: 'JSONEachRow',
      })
    ).json<{ database: string }>();
    for (const { database } of old) await ch.command({ query: sql`DROP DATABASE IF EXISTS ${ident(database)}`.text });
    const prefixes = old.map(({ database }) => `t.${database.slice(2)}.`);
    await admin.connect();
    const topics = (await admin.listTopics()).filter((topic) => prefixes.some((p) => topic.startsWith(p)));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 120_000 });
    return { databases: old.length, topics: topics.length };
  } finally {
    await admin.disconnect();
    await ch.close();
  }
}
