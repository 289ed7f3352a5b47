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
import { hostname } from 'node:os';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { ClickHouseClient } from '../core/clickhouse.ts';
import type { Config } from '../core/config.ts';
import { startHealthServer, type HealthServer } from '../core/health.server.ts';
import { idempotentProducerConfig } from '../core/kafka.ts';
import { sleep, type Service } from '../core/lifecycle.ts';
import type { Logger } from '../core/logger.ts';
import type { Registry } from '../core/metrics.ts';
import { sendDeadLetters } from '../ingest/dlq.producer.ts';
import { OffsetTracker, type Ticket } from '../ingest/offset.tracker.ts';
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
  message: KafkaMessage;
  ticket: Ticket;
  generation: number;
  readAt: number;
  remaining: number;
}

/** How long a SIGTERM waits for in-flight deliveries before leaving them to the next start. */
const DRAIN_MS = 10_000;

export function createNotifierService(config: Config, deps: NotifierDeps): NotifierService {
  const log = deps.log;
  const topic = config.topics.alerts;
  const metrics = createNotifierMetrics(deps.registry);
  const tracker = new OffsetTracker();
  const stopController = new AbortController();
  const instance = `${hostname()}:${process.pid}`;
  let generation = 0;
  let consumer: Consumer | null = null;
  let producer: Producer | null = null;
  let health: HealthServer | null = null;
  let stopping = false;
  let crashed: string | null = null;
  let commitTimer: NodeJS.Timeout | null = null;
  let committing: Promise<void> | null = null;
  const disabled: string[] = [];
  let roomWaiters: (() => void)[] = [];
  const deliveryLog: DeliveryLog | null = deps.clickhouse
    ? createDeliveryLog(deps.clickhouse, config.clickhouse.database, instance, log, (n) => metrics.deliveryLogDropped.inc(n))
    : null;

  const workers: DestinationWorker<PendingAlert>[] = deps.destinations.map((dest) =>
    createDestinationWorker<PendingAlert>(dest, {
      log,
      metrics,
      signal: stopController.signal,
      isCurrent: (p) => p.generation === generation,
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
      onProgress: () => {
        const waiters = roomWaiters;
        roomWaiters = [];
        for (const w of waiters) w();
      },
      ...(deps.senders?.[dest.name] ? { sender: deps.senders[dest.name] } : {}),
    }),
  );

  async function recordOutcome(dest: Destination, items: PendingAlert[], outcome: Outcome): Promise<void> {
    if (outcome.kind === 'aborted') return;
    if (outcome.kind === 'dead_letter' || outcome.kind === 'disabled') {
      const { reason, detail } = outcome;
      await deadLetter(
        items.map((p) => ({ message: p.message, partition: p.ticket.partition, reason, detail, destination: dest.name, step: 'deliver' })),
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
      if (--p.remaining === 0) tracker.finish(p.ticket);
    }
  }

  interface Letter {
    message: KafkaMessage;
    partition: number;
    reason: string;
    detail: string;
    destination: string;
    step: string;
  }

  /** Parks alerts in the DLQ with their original bytes; retries while Kafka is unavailable. */
  async function deadLetter(letters: Letter[]): Promise<void> {
    const dead = letters.map((l) => ({
      key: l.message.key,
      value: l.message.value,
      reason: l.reason,
      step: l.step,
      detail: l.detail,
      source: { topic, partition: l.partition, offset: l.message.offset },
      headers: { 'mcp-audit-destination': l.destination },
    }));
    for (let attempt = 1; ; attempt++) {
      try {
        if (!producer) throw new Error('dead-letter producer not connected');
        // In requests the broker accepts: a fetch of about 1 MiB of bad alerts, plus the reason
        // headers, is more than one produce request may carry.
        await sendDeadLetters(producer, config.topics.alertsDlq, dead);
        return;
      } catch (err) {
        if (stopController.signal.aborted) throw err;
        log.warn({ err, attempt }, 'dead-letter produce failed, retrying');
        await sleep(Math.min(30_000, 200 * 2 ** Math.min(attempt, 8)), stopController.signal);
      }
    }
  }

  /** Commits what the tracker says is safe; one commit at a time. */
  function commit(): Promise<void> {
    if (committing) return committing;
    committing = (async () => {
      const offsets = tracker.committable();
      if (offsets.length === 0 || !consumer) return;
      try {
        await consumer.commitOffsets(offsets.map((o) => ({ topic, ...o })));
        tracker.committed(offsets);
      } catch (err) {
        // Not fatal: offered again next time; at worst some alerts are delivered twice (same id).
        log.warn({ err }, 'offset commit failed; will retry');
      }
    })().finally(() => {
      committing = null;
    });
    return committing;
  }

  const hasRoom = () => workers.every((w) => w.hasRoom());

  async function waitForRoom(heartbeat: () => Promise<void>, cancelled: () => boolean): Promise<void> {
    metrics.paused.set(1);
    while (!hasRoom() && !cancelled()) {
      await Promise.race([new Promise<void>((r) => roomWaiters.push(r)), sleep(1_000)]);
      // Heartbeats keep the group membership while a destination backlog is full.
      await heartbeat();
    }
    metrics.paused.set(0);
  }

  async function eachBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const partition = batch.partition;
    const cancelled = () => stopping || !isRunning() || isStale();
    const invalid: Letter[] = [];
    const invalidTickets: Ticket[] = [];
    for (const message of batch.messages) {
      if (cancelled()) break;
      if (!hasRoom()) {
        await waitForRoom(heartbeat, cancelled);
        if (cancelled()) break;
      }
      metrics.consumed.inc();
      const ticket = tracker.receive(partition, Number(message.offset));
      // The decoder ingest stores alerts through, so what one accepts the other accepts too.
      const alert = decodeAlert(message.value, config.event.maxBytes);
      if (alert.ok) {
        const pending: PendingAlert = { alert: alert.value, message, ticket, generation, readAt: Date.now(), remaining: workers.length };
        for (const w of workers) w.push(pending);
      } else {
        metrics.invalid.inc();
        invalid.push({ message, partition, reason: 'invalid_alert', detail: alert.detail, destination: '', step: 'decode' });
        invalidTickets.push(ticket);
      }
      // Moves the fetch position only; what is committed is decided by the tracker.
      resolveOffset(message.offset);
    }
    if (invalid.length > 0) {
      await deadLetter(invalid);
      for (const t of invalidTickets) tracker.finish(t);
      log.warn({ partition, count: invalid.length }, 'messages that are not valid alerts were dead-lettered');
    }
    await heartbeat();
  }

  return {
    healthPort: () => health?.port ?? 0,
    unhealthy: () => crashed ?? (disabled.length ? disabled.join('; ') : null),

    async start() {
      for (const d of deps.destinations) log.info(describeDestination(d), 'destination configured');
      producer = deps.kafka.producer(idempotentProducerConfig);
      await producer.connect();
      health = await startHealthServer({
        host: config.healthHost,
        port: config.notifier.healthPort,
        registry: deps.registry,
        unhealthy: () => crashed ?? (disabled.length ? disabled.join('; ') : null),
      });
      consumer = deps.kafka.consumer({
        groupId: config.notifier.groupId,
        allowAutoTopicCreation: false,
        // Alerts are few and urgent: answer a fetch as soon as one is there, wait at most 100 ms.
        maxWaitTimeInMs: 100,
        maxBytesPerPartition: 1024 * 1024,
        // A crashed notifier's partitions move to a survivor after 10 s instead of kafkajs' 30 s:
        // alerts are urgent. (Heartbeats continue while a destination backlog pauses intake.)
        sessionTimeout: 10_000,
      });
      consumer.on(consumer.events.GROUP_JOIN, (e) => {
        // A new generation re-reads from the committed offsets: forget what was in flight and let
        // the workers skip what is still queued from the old one.
        generation++;
        tracker.reset();
        log.info({ assignment: e.payload.memberAssignment }, 'joined consumer group');
      });
      consumer.on(consumer.events.CRASH, (e) => {
        if (e.payload.restart) {
          log.warn({ err: e.payload.error }, 'consumer restarting after a retriable error');
          return;
        }
        crashed = `notifier consumer crashed: ${String(e.payload.error?.message ?? 'unknown')}`;
        log.error({ err: e.payload.error }, 'consumer crashed and will not restart');
        deps.onFatal?.(e.payload.error);
      });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: config.stack.eventsPartitions,
        eachBatch,
      });
      commitTimer = setInterval(() => void commit(), 500);
      log.info({ topic, group: config.notifier.groupId, destinations: workers.length, healthPort: health.port, instance }, 'notifier started');
    },

    async stop() {
      stopping = true;
      const c = consumer;
      if (c) c.pause([{ topic }]);
      // Let in-flight deliveries finish for a while (a destination that is down will not), commit
      // what finished, then cut the rest: it is uncommitted and comes again after the restart.
      await Promise.race([Promise.all(workers.map((w) => w.idle())), sleep(DRAIN_MS)]);
      await commit();
      if (commitTimer) clearInterval(commitTimer);
      stopController.abort();
      for (const w of workers) w.close();
      await c?.disconnect();
      await producer?.disconnect();
      await deliveryLog?.close();
      await health?.close();
      log.info('notifier stopped');
    },
  };
}
