import type { Command } from 'commander';
import { runUntilSignal } from '../core/lifecycle.ts';
import { createRegistry } from '../core/metrics.ts';
import { buildDetector } from '../detector/detector.build.ts';
import { createDetectorService } from '../detector/detector.service.ts';
import { clickhouseFor, context, kafkaFor } from './context.ts';

export function registerDetector(program: Command): void {
  program
    .command('detector')
    .description(
      'Match audit events from Kafka against the rules (sequences, thresholds, patterns, first-seen, baselines, drift) and produce alerts, grouped into incidents, to the alerts topic. Serves /healthz and /metrics.',
    )
    .action(async () => {
      const { config, log } = context('detector');
      const clickhouse = clickhouseFor(config);
      const built = buildDetector(config, clickhouse);
      log.info({ rules: built.rules.length }, 'rules loaded');
      const service = createDetectorService(config, {
        kafka: kafkaFor(config, log),
        clickhouse,
        log,
        registry: createRegistry('detector'),
        ...built,
        // Uncommitted events are read again after the restart, so exiting loses nothing.
        onFatal: () => void service.stop().finally(() => process.exit(1)),
      });
      await runUntilSignal({ start: () => service.start(), stop: async () => { await service.stop(); await clickhouse.close(); } }, log);
    });
}
