import type { Command } from 'commander';
import { loadDestinations } from '../notifier/destinations.config.ts';
import { context } from './context.ts';
import { notifierService, runAlone } from './services.ts';

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
      await runAlone(log, (onFatal) => notifierService(config, log, destinations, onFatal));
    });
}
