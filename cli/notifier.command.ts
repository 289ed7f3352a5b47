import type { Command } from 'commander';
import { createRegistry } from '../core/metrics.ts';
import { destinationsConfigured, loadDestinations } from '../notifier/destinations.config.ts';
import { createIdleNotifier } from '../notifier/notifier.idle.ts';
import { context } from '../core/context.ts';
import { notifierService, runAlone } from './services.ts';

export function registerNotifier(program: Command): void {
  program
    .command('notifier')
    .description(
      'Deliver alerts from Kafka to SIEM destinations (Standard Webhooks, Splunk HEC, OCSF, ECS) with retries; alerts that cannot be delivered go to the alerts dead-letter topic. Serves /healthz and /metrics. Without destinations it idles (healthy, consuming nothing) and says so.',
    )
    .action(async () => {
      const { config, log } = context('notifier');
      // Destinations are optional: without any, idle instead of exiting, so a restart policy does not crash-loop.
      if (!destinationsConfigured(config.notifier)) {
        await runAlone(log, () => createIdleNotifier(config, { log, registry: createRegistry('notifier') }));
        return;
      }
      // A missing secret or a bad destination stops the program here, before anything is consumed.
      const destinations = loadDestinations(config.notifier);
      await runAlone(log, (onFatal) => notifierService(config, log, destinations, onFatal));
    });
}
