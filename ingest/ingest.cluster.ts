// Scale-out of `mcp-audit ingest` inside one machine: kafkajs decoding, JSON parsing and row encoding
// all run on one Node thread, so one process tops out at one core. With MCP_AUDIT_INGEST_WORKERS > 1
// the command becomes a primary that forks that many worker processes (node:cluster); each worker
// is a full ingest instance (pipeline.runner.ts) in the same consumer group, so Kafka spreads the
// partitions over them and every worker keeps the at-least-once rules on its own partitions.
//
//   primary: the one health server (/healthz, /metrics summed over workers with prom-client's
//            AggregatorRegistry); forwards SIGTERM/SIGINT; if a worker dies, stops the rest and exits 1
//   worker 0: events + alerts pipelines; workers 1..n-1: events only (alerts are few)
//   every worker: on SIGTERM, SIGINT, or the primary's IPC channel closing (the primary was killed),
//            drains, flushes, commits and exits under the same hard deadline as a single process.
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Config } from '../core/config.ts';
import { startHealthServer, type HealthServer } from '../core/health.server.ts';
import type { Service } from '../core/lifecycle.ts';
import type { Logger } from '../core/logger.ts';
import { AggregatorRegistry, type Registry } from '../core/metrics.ts';
import type { PrometheusContentType } from 'prom-client';
import type { IngestService } from './ingest.service.ts';

/** Set by the primary on each worker; its presence is what makes `mcp-audit ingest` a worker. */
const WORKER_INDEX_ENV = 'MCP_AUDIT_INGEST_WORKER_INDEX';
const MSG_READY = 'mcp-audit:ingest-ready';
const MSG_HEALTH = 'mcp-audit:ingest-health';

interface WorkerMessage {
  type: string;
  reason?: string | null;
}

/** How many ingest processes to run: the setting, or one per CPU when it is 0. */
export function ingestWorkerCount(config: Config): number {
  return config.ingest.workers === 0 ? availableParallelism() : config.ingest.workers;
}

/** This process's worker index, or null when it is not an ingest worker (single process or primary). */
export function ingestWorkerIndex(): number | null {
  const raw = process.env[WORKER_INDEX_ENV];
  return cluster.isWorker && raw !== undefined ? Number(raw) : null;
}

/**
 * Makes this worker's registry answer the primary's metric requests. Must run before the primary
 * asks (prom-client installs its IPC listener when an AggregatorRegistry is constructed).
 */
export function shareWorkerMetrics(registry: Registry): void {
  AggregatorRegistry.setRegistries([registry]);
  new AggregatorRegistry<PrometheusContentType>();
}

/**
 * Runs an ingest service inside a worker until SIGTERM/SIGINT or until the primary goes away; stops
 * once (later signals are ignored: the primary forwards the same stop the terminal may also send).
 */
export async function runIngestWorker(service: IngestService, log: Logger, deadlineMs = 30_000): Promise<void> {
  let stopping = false;
  const send = (m: WorkerMessage) => {
    if (process.connected) process.send?.(m, undefined, undefined, () => {});
  };
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ why }, 'worker shutting down');
    setTimeout(() => {
      log.error({ deadlineMs }, 'shutdown deadline passed, exiting without a clean stop');
      process.exit(1);
    }, deadlineMs).unref();
    service.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // The primary died (SIGKILL, crash): nothing supervises this worker any more, so it leaves the
  // group cleanly; what it had not committed is re-read by the next ingest.
  process.on('disconnect', () => stop('primary gone'));
  await service.start();
  send({ type: MSG_READY });
  let last: string | null = null;
  setInterval(() => {
    const reason = service.unhealthy();
    if (reason !== last) send({ type: MSG_HEALTH, reason });
    last = reason;
  }, 1_000).unref();
}

/** /metrics of the primary: the sum over all workers (counters, histograms; gauges are summed too). */
class ClusterMetrics extends AggregatorRegistry<PrometheusContentType> {
  override metrics(): Promise<string> {
    return this.clusterMetrics();
  }
}

export interface IngestPrimary extends Service {
  healthPort(): number;
}

/**
 * The primary: forks `workers` processes of `bin ingest`, serves health for all of them, and stops
 * them on stop(). `onFatal` is called when a worker exits on its own (the process should then exit 1
 * so a supervisor restarts the whole service; uncommitted work is re-delivered).
 */
export function createIngestPrimary(
  config: Config,
  deps: { log: Logger; bin: string; workers: number; onFatal: (err: Error) => void },
): IngestPrimary {
  const { log } = deps;
  const workers = new Map<number, Worker>();
  const exits: Promise<number>[] = [];
  const unhealthyBy = new Map<number, string>();
  let failed: string | null = null;
  let stopping = false;
  let health: HealthServer | null = null;

  function fork(index: number): Promise<void> {
    const worker = cluster.fork({ [WORKER_INDEX_ENV]: String(index) });
    workers.set(index, worker);
    exits.push(
      new Promise((resolve) =>
        worker.on('exit', (code, signal) => {
          workers.delete(index);
          const status = code ?? (signal ? 128 : 1);
          if (!stopping) {
            failed = `ingest worker ${index} exited (${signal ?? `code ${code}`})`;
            log.error({ worker: index, code, signal }, 'ingest worker exited; stopping the others');
            deps.onFatal(new Error(failed));
          } else if (status !== 0) {
            log.warn({ worker: index, code, signal }, 'ingest worker did not stop cleanly');
          }
          resolve(status);
        }),
      ),
    );
    worker.on('message', (m: WorkerMessage) => {
      if (m?.type !== MSG_HEALTH) return;
      if (m.reason) unhealthyBy.set(index, m.reason);
      else unhealthyBy.delete(index);
    });
    return new Promise((resolve, reject) => {
      worker.on('message', (m: WorkerMessage) => {
        if (m?.type === MSG_READY) resolve();
      });
      // Stopped while still joining its group (a SIGTERM soon after start) is a clean end, not a failure.
      worker.once('exit', () => (stopping ? resolve() : reject(new Error(`ingest worker ${index} exited while starting`))));
    });
  }

  return {
    healthPort: () => health?.port ?? 0,

    async start() {
      health = await startHealthServer({
        host: config.healthHost,
        port: config.ingest.healthPort,
        registry: new ClusterMetrics(),
        unhealthy: () => failed ?? unhealthyBy.values().next().value ?? null,
      });
      // Workers run this same command; the primary decides their role through the environment.
      cluster.setupPrimary({ exec: deps.bin, args: ['ingest'] });
      await Promise.all(Array.from({ length: deps.workers }, (_, i) => fork(i)));
      log.info({ healthPort: health.port, workers: deps.workers }, 'ingest started');
    },

    async stop() {
      stopping = true;
      for (const w of workers.values()) w.process.kill('SIGTERM');
      const codes = await Promise.all(exits);
      await health?.close();
      const unclean = codes.filter((c) => c !== 0).length;
      if (unclean > 0) throw new Error(`${unclean} ingest worker(s) did not stop cleanly`);
      log.info('ingest stopped');
    },
  };
}
