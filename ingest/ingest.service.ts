// The ingest service: one pipeline per topic (events -> `events`; alerts -> `alerts` and
// `incidents`; signals -> `signals`), each its own consumer, and one health server.
// The per-topic work, and the at-least-once reasoning, are in pipeline.runner.ts.
import type { Kafka } from 'kafkajs';
import type { ClickHouseClient } from '../core/clickhouse.ts';
import type { Config } from '../core/config.ts';
import { startHealthServer, type HealthServer } from '../core/health.server.ts';
import type { Service } from '../core/lifecycle.ts';
import type { Logger } from '../core/logger.ts';
import type { Registry } from '../core/metrics.ts';
import { alertsPipeline } from './alerts.pipeline.ts';
import { signalsPipeline } from './signals.pipeline.ts';
import { eventsPipeline } from './events.pipeline.ts';
import { createIngestMetrics } from './ingest.metrics.ts';
import { createPipelineRunner } from './pipeline.runner.ts';

export interface IngestDeps {
  kafka: Kafka;
  clickhouse: ClickHouseClient;
  log: Logger;
  registry: Registry;
  /** Called when a consumer died for good; the process should stop so a supervisor restarts it. */
  onFatal?: (err: unknown) => void;
}

export interface IngestOptions {
  /** Which pipelines this instance runs (default both); a worker of ingest.cluster.ts may run events only. */
  pipelines?: readonly ('events' | 'alerts' | 'signals')[];
  /** Start the health server (default true); cluster workers leave it to the primary. */
  healthServer?: boolean;
}

export interface IngestService extends Service {
  /** Port of the health server once started (useful when configured as 0). */
  healthPort(): number;
  /** Why a pipeline is unhealthy, or null. */
  unhealthy(): string | null;
}

export function createIngestService(config: Config, deps: IngestDeps, opts: IngestOptions = {}): IngestService {
  const metrics = createIngestMetrics(deps.registry);
  let health: HealthServer | null = null;
  const runnerDeps = { ...deps, metrics };
  const wanted = opts.pipelines ?? ['events', 'alerts', 'signals'];
  const runners = [
    ...(wanted.includes('events') ? [createPipelineRunner(config, eventsPipeline(config), runnerDeps)] : []),
    ...(wanted.includes('alerts') ? [createPipelineRunner(config, alertsPipeline(config), runnerDeps)] : []),
    ...(wanted.includes('signals') ? [createPipelineRunner(config, signalsPipeline(config), runnerDeps)] : []),
  ];
  const unhealthy = () => runners.map((r) => r.unhealthy()).find((r) => r !== null) ?? null;

  return {
    healthPort: () => health?.port ?? 0,
    unhealthy,

    async start() {
      if (opts.healthServer !== false) {
        health = await startHealthServer({ host: config.healthHost, port: config.ingest.healthPort, registry: deps.registry, unhealthy });
      }
      await Promise.all(runners.map((r) => r.start()));
      deps.log.info({ healthPort: health?.port, pipelines: wanted }, 'ingest started');
    },

    async stop() {
      await Promise.all(runners.map((r) => r.stop()));
      await health?.close();
      deps.log.info('ingest stopped');
    },
  };
}
