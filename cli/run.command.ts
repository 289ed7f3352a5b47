// `mcp-audit run`: the whole pipeline on this machine in one process. Starts the local stack
// (installing Kafka and ClickHouse on first use), applies migrations, then runs ingest, the baseline
// scheduler, notifier, detector and api until Ctrl-C, which stops them in reverse order (the api
// stops taking requests first, ingest stores the last alerts last) and then the stack.
// `--demo` adds simulated traffic with attack chains, a local webhook receiver that prints each
// alert, and a generated API key, on the demo's own database and topics (demo/demo.config.ts).
import type { Command } from 'commander';
import { loadConfig, type Config } from '../core/config.ts';
import { runUntilSignal } from '../core/lifecycle.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { demoBanner } from '../demo/demo.banner.ts';
import { demoConfig } from '../demo/demo.config.ts';
import { createDemo } from '../demo/demo.ts';
import { migrate } from '../migrations/migrate.ts';
import { destinationsConfigured, loadDestinations, NO_DESTINATIONS, type Destination } from '../notifier/destinations.config.ts';
import { stackDown, stackUp } from '../stack/stack.ts';
import { clickhouseFor } from '../core/context.ts';
import { serviceGroup, type NamedService } from '../core/service.group.ts';
import { apiService, baselineSchedulerService, detectorService, ingestService, notifierService, type OnFatal } from './services.ts';

/** The configured destinations, or none (the notifier is then left out) when nothing is configured. */
function configuredDestinations(config: Config, log: Logger): Destination[] {
  if (!destinationsConfigured(config.notifier)) {
    log.warn(`${NO_DESTINATIONS}: running without the notifier; alerts are still stored and served by the api`);
    return [];
  }
  // A bad list or a missing secret stops the program here, before anything starts.
  return loadDestinations(config.notifier);
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description(
      'Run the whole pipeline locally: start Kafka and ClickHouse (installing them on first use), apply migrations, ' +
        'and run ingest, detector, notifier (when destinations are configured), api and the baseline scheduler until Ctrl-C, ' +
        'which stops the services and then the stack. --demo adds simulated traffic with attack chains, a webhook receiver ' +
        'printing each alert, and an API key, on its own database (mcp_audit_demo) and topics (demo.*).',
    )
    .option('--demo', 'feed simulated MCP traffic with attack chains and print each alert as the notifier delivers it')
    .option('--keep-stack', 'leave Kafka and ClickHouse running after Ctrl-C')
    .action(async (opts: { demo?: boolean; keepStack?: boolean }) => {
      const startedAt = Date.now();
      const config = opts.demo ? demoConfig() : loadConfig();
      const log = createLogger(config.logLevel, 'run');
      const forService = (name: string) => log.child({ service: name });

      let stopping: Promise<void> | null = null;
      const stopAll = () => (stopping ??= stopEverything());
      // A consumer that died for good takes the whole run down: exit 1, like a single service would.
      const onFatal: OnFatal = (err) => {
        log.error({ err }, 'a service failed for good; stopping everything');
        void stopAll().finally(() => process.exit(1));
      };

      // Everything is assembled before the stack starts, so a bad rule or destination stops the
      // program at once instead of after a stack start.
      const demo = opts.demo ? await createDemo(config, log, startedAt) : null;
      const destinations = demo ? demo.destinations : configuredDestinations(config, log);
      const ingest = ingestService(config, forService('ingest'), onFatal);
      const detector = detectorService(config, forService('detector'), onFatal);
      // In one process the fresh baselines go straight to the detector, not only on its reload timer.
      const baselines = baselineSchedulerService(config, forService('baselines'), (s) => detector.setBaselines(s));
      const notifier = destinations.length ? notifierService(config, forService('notifier'), destinations, onFatal) : null;
      const api = apiService(config, forService('api'));
      // Start order; stop is the reverse: traffic, api, detector, notifier, baselines, ingest.
      const services: NamedService[] = [ingest, baselines, ...(notifier ? [notifier] : []), detector, ...(demo ? [demo.key] : []), api, ...(demo ? [demo.traffic, demo.injected] : [])];
      const group = serviceGroup(services, log);

      async function stopEverything(): Promise<void> {
        if (demo) process.stdout.write(`mcp-audit demo: stopping the services${opts.keepStack ? '' : ', then Kafka and ClickHouse'}...\n`);
        await group.stop();
        // After the notifier: deliveries in flight still land.
        await demo?.receiver.close();
        if (!opts.keepStack) await stackDown(config, log);
        if (demo) process.stdout.write('mcp-audit demo: stopped\n');
      }

      if (demo) process.stdout.write('mcp-audit demo: starting Kafka and ClickHouse (the first run installs them, which takes a few minutes), then the services...\n');
      await stackUp(config, log);
      const admin = clickhouseFor(config, false);
      try {
        await migrate(admin, config.clickhouse.database, log);
      } finally {
        await admin.close();
      }

      await runUntilSignal(
        {
          start: async () => {
            await group.start();
            if (demo) {
              process.stdout.write(
                demoBanner({
                  config,
                  rules: detector.rules,
                  apiUrl: api.url(),
                  key: demo.key.key(),
                  receiverUrl: demo.receiver.url,
                  metrics: { ingest: ingest.healthPort(), detector: detector.healthPort(), notifier: notifier?.healthPort() ?? 0 },
                  keepStack: Boolean(opts.keepStack),
                  startupSeconds: (Date.now() - startedAt) / 1000,
                }),
              );
            }
            log.info(
              {
                kafka: config.kafka.brokers.join(','),
                clickhouse: config.clickhouse.url,
                database: config.clickhouse.database,
                api: api.url(),
                notifier: notifier ? destinations.map((d) => d.name) : null,
                metrics: {
                  ingest: `http://${config.healthHost}:${ingest.healthPort()}/metrics`,
                  detector: `http://${config.healthHost}:${detector.healthPort()}/metrics`,
                  ...(notifier ? { notifier: `http://${config.healthHost}:${notifier.healthPort()}/metrics` } : {}),
                },
              },
              'pipeline running; Ctrl-C to stop',
            );
          },
          stop: stopAll,
        },
        log,
        // Stopping the stack (Kafka's controlled shutdown) takes longer than stopping a service.
        90_000,
      );
    });
}
