// Retention for ClickHouse 18.16, which has no TTL: drop whole daily partitions (toYYYYMMDD(ts))
// older than the retention period. Dropping a partition is instant and frees its disk at once.
import type { ClickHouseClient } from '../core/clickhouse.ts';
import { readRows } from '../core/clickhouse.rows.ts';
import type { Logger } from '../core/logger.ts';
import { qualified, sql } from '../core/sql.ts';

/** Tables partitioned by day that retention applies to. Alerts and incidents are kept: they are few and are the record. */
export const RETAINED_TABLES = ['events', 'ingest_stats', 'deliveries'] as const;

export async function dropOldPartitions(
  ch: ClickHouseClient,
  database: string,
  days: number,
  opts: { dryRun: boolean; log: Logger; now?: Date },
): Promise<string[]> {
  const cutoff = new Date((opts.now ?? new Date()).getTime() - days * 86_400_000);
  const cutoffDay = Number(cutoff.toISOString().slice(0, 10).replaceAll('-', ''));
  const dropped: string[] = [];
  for (const table of RETAINED_TABLES) {
    const rows = await readRows<{ partition: string }>(
      ch,
      sql`SELECT DISTINCT partition FROM system.parts
        WHERE database = ${database} AND table = ${table} AND active ORDER BY partition`,
    );
    for (const { partition } of rows) {
      const day = Number(partition);
      if (!Number.isInteger(day) || day >= cutoffDay) continue;
      if (!opts.dryRun) await ch.command({ query: sql`ALTER TABLE ${qualified(database, table)} DROP PARTITION ${day}`.text });
      opts.log.info({ table, partition: day, dryRun: opts.dryRun }, 'dropping partition past retention');
      dropped.push(`${table}/${day}`);
    }
  }
  return dropped;
}
