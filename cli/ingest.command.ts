import type { Command } from 'commander';
import { join } from 'node:path';
import { runUntilSignal } from '../core/lifecycle.ts';
import { createRegistry } from '../core/metrics.ts';
import { PACKAGE_ROOT } from '../core/package.paths.ts';
import { createIngestPrimary, ingestWorkerCount, ingestWorkerIndex, runIngestWorker, shareWorkerMetrics } from '../ingest/ingest.cluster.ts';
import { clickhouseFor, context, kafkaFor } from '../core/context.ts';

// Workers run the same program: the package's bin, whether this runs from the sources or from dist/.
const BIN = join(PACKAGE_ROOT, 'bin/mcp-audit.js');

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description(
      'Consume audit events from Kafka, validate them, and insert them into ClickHouse; invalid input goes to the dead-letter topic. Serves /healthz and /metrics. ' +
        'Runs MCP_AUDIT_INGEST_WORKERS processes in one consumer group (default: one per CPU).',
    )
    .action(async () => {
      const { config, log: baseLog } = context('ingest');
      const workerIndex = ingestWorkerIndex();
      const workers = ingestWorkerCount(config);

      if (workerIndex === null && workers > 1) {
        const primary = createIngestPrimary(config, {
          log: baseLog,
          bin: BIN,
          workers,
          // A worker died on its own: stop the rest and exit 1 so a supervisor restarts the service.
          onFatal: () => void primary.stop().finally(() => process.exit(1)),
        });
        // A little longer than the workers' own deadline, so their drain decides the outcome.
        await runUntilSignal(primary, baseLog, 35_000);
        return;
      }

      // Loaded here, not at the top: the primary only forks and supervises, and loading the pipelines
      // and both Kafka clients took it about a second of CPU before it could fork the workers.
      const { createIngestService } = await import('../ingest/ingest.service.ts');
      const log = workerIndex === null ? baseLog : baseLog.child({ worker: workerIndex });
      const clickhouse = clickhouseFor(config);
      const registry = createRegistry('ingest');
      if (workerIndex !== null) shareWorkerMetrics(registry);
      const service = createIngestService(
        config,
        {
          kafka: kafkaFor(config, log),
          clickhouse,
          log,
          registry,
          // Uncommitted work is delivered again after the restart, so exiting loses nothing.
          onFatal: () => void service.stop().finally(() => process.exit(1)),
        },
        // Workers leave health to the primary; alerts are few, so only worker 0 stores them.
        workerIndex === null ? {} : { healthServer: false, pipelines: workerIndex === 0 ? ['events', 'alerts', 'signals'] : ['events'] },
      );
      const lifecycle = { start: () => service.start(), stop: async () => { await service.stop(); await clickhouse.close(); } };
      if (workerIndex === null) await runUntilSignal(lifecycle, log);
      else await runIngestWorker({ ...service, ...lifecycle }, log);
    });
}
