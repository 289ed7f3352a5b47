import type { Command } from 'commander';
import { context } from '../core/context.ts';
import { detectorService, runAlone } from './services.ts';

export function registerDetector(program: Command): void {
  program
    .command('detector')
    .description(
      'Match audit events from Kafka against the rules (sequences, thresholds, patterns, first-seen, baselines, drift) and produce alerts, grouped into incidents, to the alerts topic. Serves /healthz and /metrics.',
    )
    .action(async () => {
      const { config, log } = context('detector');
      await runAlone(log, (onFatal) => detectorService(config, log, onFatal));
    });
}
