// How each long-running service is assembled from configuration: its own clients and metrics
// registry, and a stop that closes what it opened. The single-service commands (`detector`,
// `notifier`, `api`, `baselines schedule`) and `mcp-audit run` start exactly these.
import { buildApp, type ApiApp, type ApiRoutes } from '../api/app.ts';
import { KeyStore } from '../api/auth/key.store.ts';
import type { ClickHouseClient } from '../core/clickhouse.ts';
import type { Config } from '../core/config.ts';
import { runUntilSignal, type Service } from '../core/lifecycle.ts';
import { startHealthServer, type HealthServer } from '../core/health.server.ts';
import type { Logger } from '../core/logger.ts';
import { createRegistry, type Registry } from '../core/metrics.ts';
import type { BaselineSnapshot } from '../detector/baselines/baseline.types.ts';
import { latestRun } from '../detector/baselines/baselines.load.ts';
import { createBaselineScheduler } from '../detector/baselines/baselines.scheduler.ts';
import { buildDetector } from '../detector/detector.build.ts';
import { createDetectorService } from '../detector/detector.service.ts';
import { createIngestService } from '../ingest/ingest.service.ts';
import type { Destination } from '../notifier/destinations.config.ts';
import { createNotifierService } from '../notifier/notifier.service.ts';
import { AuditProducer } from '../producer/audit.producer.ts';
import { apiReaderFor, clickhouseFor, kafkaFor } from '../core/context.ts';
import type { NamedService } from '../core/service.group.ts';

/** Called when a service's consumer died for good: the process should stop and be restarted. */
export type OnFatal = (err: unknown) => void;

export interface HealthService extends NamedService {
  /** Port of its /healthz and /metrics server once started. */
  healthPort(): number;
}

/** Runs one service until SIGTERM/SIGINT; if it dies on its own, stops it and exits 1. */
export async function runAlone(log: Logger, build: (onFatal: OnFatal) => Service): Promise<void> {
  // Uncommitted work is read again after the restart, so exiting loses nothing.
  const service: Service = build(() => void service.stop().finally(() => process.exit(1)));
  await runUntilSignal(service, log);
}

/** A service with a health server, closing its ClickHouse client after it stopped. */
function closingClient(name: string, service: Service & { healthPort(): number }, clickhouse: ClickHouseClient): HealthService {
  return {
    name,
    healthPort: () => service.healthPort(),
    start: () => service.start(),
    stop: async () => {
      await service.stop();
      await clickhouse.close();
    },
  };
}

export function ingestService(config: Config, log: Logger, onFatal: OnFatal): HealthService {
  const clickhouse = clickhouseFor(config);
  const service = createIngestService(config, { kafka: kafkaFor(config, log), clickhouse, log, registry: createRegistry('ingest'), onFatal });
  return closingClient('ingest', service, clickhouse);
}

/** Rules and catalogue are loaded here, so a bad rule file stops the program before anything starts. */
export function detectorService(config: Config, log: Logger, onFatal: OnFatal): HealthService & { rules: number; setBaselines(s: BaselineSnapshot): void } {
  const clickhouse = clickhouseFor(config);
  const built = buildDetector(config, clickhouse);
  log.info({ rules: built.rules.length }, 'rules loaded');
  const service = createDetectorService(config, { kafka: kafkaFor(config, log), clickhouse, log, registry: createRegistry('detector'), ...built, onFatal });
  return {
    ...closingClient('detector', service, clickhouse),
    rules: built.rules.length,
    setBaselines: (s) => built.engine.setBaselines(s),
  };
}

export function notifierService(config: Config, log: Logger, destinations: Destination[], onFatal: OnFatal): HealthService {
  // Only for the best-effort `deliveries` table; delivery never waits for ClickHouse.
  const clickhouse = clickhouseFor(config);
  const service = createNotifierService(config, { kafka: kafkaFor(config, log), clickhouse, log, registry: createRegistry('notifier'), destinations, onFatal });
  return closingClient('notifier', service, clickhouse);
}

/** The api (`all`), or the OTLP receiver alone (`otlp`, on MCP_AUDIT_OTLP_HOST:MCP_AUDIT_OTLP_PORT). */
export function apiService(config: Config, log: Logger, routeSet: ApiRoutes = 'all'): NamedService & { url(): string } {
  const name = routeSet === 'all' ? 'api' : 'otlp';
  const listen = routeSet === 'all' ? config.api : config.otlp;
  const writer = clickhouseFor(config);
  // Every query of the API reads, except an incident status change: those go through `writer`.
  const reader = apiReaderFor(config);
  const clickhouse = reader ?? writer;
  const kafka = kafkaFor(config, log);
  const producer = new AuditProducer(kafka, { topic: config.topics.events, maxBytes: config.event.maxBytes });
  const admin = kafka.admin();
  let app: ApiApp | null = null;
  let url = '';
  return {
    name,
    url: () => url,
    async start() {
      await Promise.all([producer.connect(), admin.connect()]);
      app = await buildApp({
        config,
        clickhouse,
        clickhouseWriter: writer,
        events: producer,
        log,
        registry: createRegistry(name),
        kafkaReady: async () => (await admin.describeCluster()).brokers.length > 0,
        keyStore: new KeyStore(clickhouse, config.clickhouse.database),
      }, routeSet);
      url = await app.listen({ host: listen.host, port: listen.port });
      log.info({ address: url }, `${name} listening`);
    },
    // Stop taking requests (in-flight ones finish), then flush what was accepted, then close clients.
    async stop() {
      await app?.close();
      await producer.disconnect();
      await admin.disconnect();
      await reader?.close();
      await writer.close();
      log.info(`${name} stopped`);
    },
  };
}

/** `baselines schedule` alone: the scheduler plus a health server (/healthz, /metrics with its run counts) for container healthchecks. */
export function standaloneBaselineScheduler(config: Config, log: Logger): Service {
  const registry = createRegistry('baselines');
  const scheduler = baselineSchedulerService(config, log, undefined, registry);
  let health: HealthServer | null = null;
  return {
    async start() {
      await scheduler.start();
      health = await startHealthServer({ host: config.healthHost, port: config.baselines.healthPort, registry, unhealthy: () => null });
    },
    async stop() {
      await health?.close();
      await scheduler.stop();
    },
  };
}

/** Recomputes baselines on MCP_AUDIT_BASELINE_CRON; `onSnapshot` gets each new set (the detector reloads them on its own timer too). */
export function baselineSchedulerService(config: Config, log: Logger, onSnapshot?: (s: BaselineSnapshot) => void, registry?: Registry): NamedService {
  const ch = clickhouseFor(config);
  const scheduler = createBaselineScheduler({
    ch,
    database: config.clickhouse.database,
    cron: config.baselines.cron,
    lookbackDays: config.baselines.lookbackDays,
    log,
    ...(onSnapshot ? { onSnapshot } : {}),
    ...(registry ? { registry } : {}),
  });
  return {
    name: 'baselines',
    async start() {
      scheduler.start();
      const last = await latestRun(ch, config.clickhouse.database);
      log.info({ cron: config.baselines.cron, lastRun: last ? new Date(last.computedAtMs).toISOString() : null }, 'baseline scheduler started');
      // No completed run yet: compute at once rather than leave the detector cold until the first tick.
      if (!last) void scheduler.runNow();
    },
    async stop() {
      await scheduler.stop();
      await ch.close();
      log.info('baseline scheduler stopped');
    },
  };
}
