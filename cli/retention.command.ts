import type { Command } from 'commander';
import { dropOldPartitions } from '../migrations/retention.ts';
import { clickhouseFor, context } from './context.ts';

export function registerRetention(program: Command): void {
  program
    .command('retention')
    .description('Drop daily partitions older than MCP_AUDIT_RETENTION_DAYS (ClickHouse 18.16 has no TTL).')
    .option('--dry-run', 'only list the partitions that would be dropped')
    .action(async (opts: { dryRun?: boolean }) => {
      const { config, log } = context('retention');
      const ch = clickhouseFor(config);
      try {
        const dropped = await dropOldPartitions(ch, config.clickhouse.database, config.retentionDays, { dryRun: !!opts.dryRun, log });
        log.info({ partitions: dropped, dryRun: !!opts.dryRun }, 'retention done');
      } finally {
        await ch.close();
      }
    });
}
