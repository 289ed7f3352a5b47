import type { Command } from 'commander';
import { dropOldPartitions } from '../migrations/retention.ts';
import { clickhouseFor, context } from '../core/context.ts';

export function registerRetention(program: Command): void {
  program
    .command('retention')
    .description('Drop daily partitions older than MCP_AUDIT_RETENTION_DAYS (ClickHouse 18.16 has no TTL).')
    .option('--dry-run', 'only list the partitions that would be dropped')
    .option('--json', 'print {dry_run, retention_days, partitions} as one JSON object on stdout (logs go to stderr)')
    .action(async (opts: { dryRun?: boolean; json?: boolean }) => {
      const { config, log } = context('retention', { jsonOutput: opts.json });
      const ch = clickhouseFor(config);
      try {
        const dropped = await dropOldPartitions(ch, config.clickhouse.database, config.retentionDays, { dryRun: !!opts.dryRun, log });
        log.info({ partitions: dropped, dryRun: !!opts.dryRun }, 'retention done');
        if (opts.json) process.stdout.write(`${JSON.stringify({ dry_run: !!opts.dryRun, retention_days: config.retentionDays, partitions: dropped })}\n`);
      } finally {
        await ch.close();
      }
    });
}
