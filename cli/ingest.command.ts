import type { Command } from 'commander';
import { runUntilSignal } from '../core/lifecycle.ts';
import { createRegistry } from '../core/metrics.ts';
import { createIngestService } from '../ingest/ingest.service.ts';
import { clickhouseFor, context, kafkaFor } from './context.ts';

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description(
      'Consume audit events from Kafka, validate them, and insert them into ClickHouse; invalid input goes to the dead-letter topic. Serves /healthz and /metrics.',
    )
    .action(async () => {
      const { config, log } = context('ingest');
      const clickhouse = clickhouseFor(config);
      const service = createIngestService(config, {
        kafka: kafkaFor(config, log),
        clickhouse,
        log,
        registry: createRegistry('ingest'),
        // Uncommitted work is delivered again after the restart, so exiting loses nothing.
        onFatal: () => void service.stop().finally(() => process.exit(1)),
      });
      await runUntilSignal({ start: () => service.start(), stop: async () => { await service.stop(); await clickhouse.close(); } }, log);
    });
}
