// `mcp-audit run`: the whole pipeline on this machine in one command. Starts the local stack
// (installing Kafka and ClickHouse on first use), applies migrations, then runs the services in
// this process until Ctrl-C. Later services (detector, notifier, api) join the list below.
import type { Command } from 'commander';
import { runUntilSignal } from '../core/lifecycle.ts';
import { createRegistry } from '../core/metrics.ts';
import { createIngestService } from '../ingest/ingest.service.ts';
import { migrate } from '../migrations/migrate.ts';
import { stackDown, stackUp } from '../stack/stack.ts';
import { clickhouseFor, context, kafkaFor } from './context.ts';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description(
      'Run the whole pipeline locally: start Kafka and ClickHouse (installing them on first use), apply migrations, ' +
        'and run ingest until Ctrl-C, which stops the services and then the stack.',
    )
    .option('--keep-stack', 'leave Kafka and ClickHouse running after Ctrl-C')
    .action(async (opts: { keepStack?: boolean }) => {
      const { config, log } = context('run');
      await stackUp(config, log);

      const admin = clickhouseFor(config, false);
      await migrate(admin, config.clickhouse.database, log);
      await admin.close();

      const clickhouse = clickhouseFor(config);
      const ingest = createIngestService(config, {
        kafka: kafkaFor(config, log.child({ service: 'ingest' })),
        clickhouse,
        log: log.child({ service: 'ingest' }),
        registry: createRegistry('ingest'),
      });
      await runUntilSignal(
        {
          start: async () => {
            await ingest.start();
            log.info(
              {
                kafka: config.kafka.brokers.join(','),
                clickhouse: config.clickhouse.url,
                database: config.clickhouse.database,
                ingestMetrics: `http://${config.healthHost}:${ingest.healthPort()}/metrics`,
              },
              'pipeline running; produce events to the events topic, Ctrl-C to stop',
            );
          },
          stop: async () => {
            await ingest.stop();
            await clickhouse.close();
            if (!opts.keepStack) await stackDown(config, log);
          },
        },
        log,
        // Stopping the stack (Kafka's controlled shutdown) takes longer than stopping a service.
        90_000,
      );
    });
}
