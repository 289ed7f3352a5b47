// The notifier: consumer group `notifier` on `mcp.audit.alerts`; every alert goes to every
// configured destination, each in the format its type asks for.
//
// Progress per destination, one commit for all. Each destination has its own queue and workers
// (destination.worker.ts): a destination that is down only grows its own queue while the others
// keep delivering. An alert read from Kafka is "finished" once EVERY destination has reached a
// final outcome for it: delivered (2xx), or parked in `mcp.audit.alerts.dlq` (retries ran out, a
// permanent 4xx, the SSRF guard, or a destination disabled by 410). The offset tracker commits, per
// partition, one past the contiguous run of finished offsets; that is the minimum over destinations
// of each one's finished position, so a crash re-delivers exactly what some destination had not
// finished (repeats carry the same `webhook-id` = alert id, for the receiver to de-duplicate).
// Memory is bounded: intake pauses while any destination holds `max_backlog` alerts.
// The Kafka side (offsets, commits, dead letters, stop) is the consumer runtime's (core/kafka/).
import { hostname } from 'node:os';
import type { Kafka } from 'kafkajs';
import type { ClickHouseClient } from '../core/clickhouse.ts';
import type { Config } from '../core/config.ts';
import { startHealthServer, type HealthServer } from '../core/health.server.ts';
import { consumerClients } from '../core/kafka/consumer.clients.ts';
import { createConsumerRuntime, type InboundMessage, type Ticket } from '../core/kafka/consumer.runtime.ts';
import { sleep, type Service } from '../core/lifecycle.ts';
import type { Logger } from '../core/logger.ts';
import type { Registry } from '../core/metrics.ts';
import { decodeAlert } from '../schemas/alert.decode.ts';
import type { AlertV1 } from '../schemas/alert.v1.ts';
import { createDeliveryLog, type DeliveryLog } from './delivery.log.ts';
import { describeDestination, type Destination } from './destinations.config.ts';
import { createDestinationWorker, type DestinationWorker, type Outcome } from './destination.worker.ts';
import type { HttpSender } from './http.sender.ts';
import { createNotifierMetrics } from './notifier.metrics.ts';

export interface NotifierDeps {
  kafka: Kafka;
  log: Logger;
  registry: Registry;
  destinations: Destination[];
  /** Called when the consumer died for good; the process should exit so a supervisor restarts it. */
  onFatal?: (err: unknown) => void;
  /** When given, every retry and final outcome is logged to the `deliveries` table (best effort). */
  clickhouse?: ClickHouseClient;
  /** Tests may replace the HTTP sender of a destination (by name). */
  senders?: Record<string, HttpSender>;
}

export interface NotifierService extends Service {
  healthPort(): number;
  /** Why the service is unhealthy (crashed consumer, disabled destination), or null. */
  unhealthy(): string | null;
}

/** One alert read from Kafka, waiting for `remaining` destinations to reach a final outcome. */
interface PendingAlert {
  alert: AlertV1;
  message: InboundMessage;
  ticket: Ticket;
  readAt: number;
  remaining: number;
}

/** How long a SIGTERM waits for in-flight deliveries before leaving them to the next start. */
const DRAIN_MS = 10_000;

export function createNotifierService(config: Config, deps: NotifierDeps): NotifierService {
  const log = deps.log;
  const topic = config.topics.alerts;
  const metrics = createNotifierMetrics(deps.registry);
  const stopController = new AbortController();
  const instance = `${hostname()}:${process.pid}`;
  let health: HealthServer | null = null;
  const disabled: string[] = [];
  const deliveryLog: DeliveryLog | null = deps.clickhouse
    ? createDeliveryLog(deps.clickhouse, config.clickhouse.database, instance, log, (n) => metrics.deliveryLogDropped.inc(n))
    : null;

  const workers: DestinationWorker<PendingAlert>[] = deps.destinations.map((dest) =>
    createDestinationWorker<PendingAlert>(dest, {
      log,
      metrics,
      signal: stopController.signal,
      // Alerts of an earlier assignment are skipped: the new owner of their partition reads them again.
      isCurrent: (p) => consumer.isCurrent(p.ticket),
      onOutcome: (items, outcome) => recordOutcome(dest, items, outcome),
      onDisabled: (reason) => disabled.push(reason),
      onRetry: (items, info) => {
        for (const p of items) {
          deliveryLog?.add({
            destination: dest.name,
            destination_type: dest.type,
            alert_id: p.alert.alert_id,
            tenant_id: p.alert.tenant_id,
            outcome: 'retried',
            reason: info.reason,
            http_status: info.status,
            attempt: info.attempt,
            request_ms: info.ms,
            latency_ms: Date.now() - p.readAt,
          });
        }
      },
      onProgress: () => consumer.wake(),
      ...(deps.senders?.[dest.name] ? { sender: deps.senders[dest.name] } : {}),
    }),
  );

  const consumer = createConsumerRuntime(
    {
      name: 'notifier',
      groupId: config.notifier.groupId,
      topic,
      concurrency: config.consumer.concurrency,
      fetch: {
        // Alerts are few and urgent: answer a fetch as soon as one is there, wait at most 100 ms.
        maxWaitMs: 100,
        maxBytesPerPartition: 1024 * 1024,
        // A crashed notifier's partitions move to a survivor after 10 s instead of kafkajs' 30 s:
        // alerts are urgent. (Heartbeats continue while a destination backlog pauses intake.)
        sessionTimeoutMs: 10_000,
      },
      commitIntervalMs: 500,
      deadLetterTopic: config.topics.alertsDlq,
      metricsPrefix: 'mcp_audit_notifier',
    },
    {
      message(message, ticket) {
        // The decoder ingest stores alerts through, so what one accepts the other accepts too.
        const alert = decodeAlert(message.value, config.event.maxBytes);
        if (!alert.ok) {
          metrics.invalid.inc();
          return { deadLetter: { reason: 'invalid_alert', step: 'decode', detail: alert.detail, headers: { 'mcp-audit-destination': '' } } };
        }
        const pending: PendingAlert = { alert: alert.value, message, ticket, readAt: Date.now(), remaining: workers.length };
        for (const w of workers) w.push(pending);
        return 'pending';
      },
      hasRoom: () => workers.every((w) => w.hasRoom()),
      async drain() {
        // Let in-flight deliveries finish for a while (a destination that is down will not), then
        // cut the rest: it stays uncommitted and comes again after the restart.
        await Promise.race([Promise.all(workers.map((w) => w.idle())), sleep(DRAIN_MS)]);
        stopController.abort();
        for (const w of workers) w.close();
      },
    },
    { ...deps, kafka: consumerClients(config, deps.kafka) },
  );

  async function recordOutcome(dest: Destination, items: PendingAlert[], outcome: Outcome): Promise<void> {
    if (outcome.kind === 'aborted') return;
    if (outcome.kind === 'dead_letter' || outcome.kind === 'disabled') {
      const { reason, detail } = outcome;
      await consumer.deadLetter(
        items.map((p) => ({
          key: p.message.key,
          value: p.message.value,
          reason,
          step: 'deliver',
          detail,
          source: { topic, partition: p.ticket.partition, offset: p.message.offset },
          headers: { 'mcp-audit-destination': dest.name },
        })),
      );
      metrics.deadLettered.inc({ destination: dest.name, reason }, items.length);
      log.warn({ destination: dest.name, reason, alerts: items.length, attempts: outcome.attempts }, 'alerts dead-lettered for a destination');
    }
    const now = Date.now();
    for (const p of items) {
      metrics.deliverySeconds.observe({ destination: dest.name }, (now - p.readAt) / 1000);
      deliveryLog?.add({
        destination: dest.name,
        destination_type: dest.type,
        alert_id: p.alert.alert_id,
        tenant_id: p.alert.tenant_id,
        outcome: outcome.kind === 'dead_letter' ? 'dead_lettered' : outcome.kind,
        reason: outcome.kind === 'delivered' ? '' : outcome.reason,
        http_status: 'status' in outcome ? outcome.status : 0,
        attempt: outcome.attempts,
        request_ms: outcome.kind === 'delivered' ? outcome.ms : 0,
        latency_ms: now - p.readAt,
      });
      if (--p.remaining === 0) consumer.finish(p.ticket);
    }
  }

  const unhealthy = () => consumer.unhealthy() ?? (disabled.length ? disabled.join('; ') : null);

  return {
    healthPort: () => health?.port ?? 0,
    unhealthy,

    async start() {
      for (const d of deps.destinations) log.info(describeDestination(d), 'destination configured');
      health = await startHealthServer({ host: config.healthHost, port: config.notifier.healthPort, registry: deps.registry, unhealthy });
      await consumer.start();
      log.info({ topic, group: config.notifier.groupId, destinations: workers.length, healthPort: health.port, instance }, 'notifier started');
    },

    async stop() {
      await consumer.stop();
      await deliveryLog?.close();
      await health?.close();
      log.info('notifier stopped');
    },
  };
}
