import type { Command } from 'commander';
import { migrate } from '../migrations/migrate.ts';
import { clickhouseFor, context } from '../core/context.ts';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('Create or update the ClickHouse database and tables (re-runnable; records what it applied).')
    .action(async () => {
      const { config, log } = context('migrate');
      const ch = clickhouseFor(config, false);
      try {
        const { applied, skipped } = await migrate(ch, config.clickhouse.database, log, { cluster: config.clickhouseCluster });
        log.info({ database: config.clickhouse.database, applied, skipped: skipped.length }, 'migrations up to date');
      } finally {
        await ch.close();
      }
    });
}
