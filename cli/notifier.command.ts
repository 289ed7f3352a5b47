import type { Command } from 'commander';
import { runUntilSignal } from '../core/lifecycle.ts';
import { createRegistry } from '../core/metrics.ts';
import { loadDestinations } from '../notifier/destinations.config.ts';
import { createNotifierService } from '../notifier/notifier.service.ts';
import { clickhouseFor, context, kafkaFor } from './context.ts';

export function registerNotifier(program: Command): void {
  program
    .command('notifier')
    .description(
      'Deliver alerts from Kafka to SIEM destinations (Standard Webhooks, Splunk HEC, OCSF, ECS) with retries; alerts that cannot be delivered go to the alerts dead-letter topic. Serves /healthz and /metrics.',
    )
    .action(async () => {
      const { config, log } = context('notifier');
      // A missing secret or a bad destination stops the program here, before anything is consumed.
      const destinations = loadDestinations(config.notifier);
      const clickhouse = clickhouseFor(config);
      const service = createNotifierService(config, {
        kafka: kafkaFor(config, log),
        // Only for the best-effort `deliveries` table; delivery never waits for ClickHouse.
        clickhouse,
        log,
        registry: createRegistry('notifier'),
        destinations,
        // Uncommitted alerts are delivered again after the restart, so exiting loses nothing.
        onFatal: () => void service.stop().finally(() => process.exit(1)),
      });
      await runUntilSignal({ start: () => service.start(), stop: async () => { await service.stop(); await clickhouse.close(); } }, log);
    });
}
