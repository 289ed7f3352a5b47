// The one Kafka consumer loop of mcp-audit. Ingest (one per topic), the detector and the notifier
// each run one and supply only what is theirs: what to do with a message, optionally with a whole
// batch, when they have no room, what to do on a new assignment and how to drain on stop.
//
//   fetch (one batch per partition, `concurrency` partitions at a time)
//     -> per message: wait while the service has no room (heartbeats go on) -> track the offset
//        -> the service's handler: done | pending (finished later) | dead letter
//     -> dead letters parked (chunked, retried) -> the service's batch hook -> resolve the fetch position
//   one commit loop: every `commitIntervalMs`, when a service asks, and (if set) after each batch;
//   it commits per partition one past the contiguous run of finished offsets (offset.tracker.ts)
//   stop(): pause -> the service's drain hook -> commit -> leave the group -> close the producer
//
// At-least-once: an offset is committed only once its message is finished and so is every earlier
// one of its partition. A crash re-delivers the uncommitted tail; every sink is idempotent.
// A message Kafka delivers again without a rebalance (a failed batch fetched again) is counted.
// The client library sits behind kafka.clients.ts; this file names no library but in `clientsOf`.
import { Kafka } from 'kafkajs';
import { createKafka, type KafkaConnection } from '../kafka.ts';
import { sleep } from '../lifecycle.ts';
import type { Logger } from '../logger.ts';
import type { Registry } from '../metrics.ts';
import { consumerMetricsOf } from './consumer.metrics.ts';
import { createDeadLetterSender, deadLetterOf, type DeadLetter, type DeadLetterReason, type DeadLetterSender } from './dead.letters.ts';
import type { ConsumerClient, FetchedBatch, InboundMessage, KafkaClients, RecordProducer } from './kafka.clients.ts';
import { kafkajsClients } from './kafkajs.clients.ts';
import { OffsetTracker, type Ticket } from './offset.tracker.ts';

export type { DeadLetter, DeadLetterReason, InboundMessage, Ticket };

/**
 * What the handler made of one message. `done`: finished when its batch ends (after `endBatch`);
 * `pending`: the service calls `finish(ticket)` once its sink confirmed; a dead letter: parked by the
 * runtime, with the original bytes, before the batch ends.
 */
export type Handled = 'done' | 'pending' | { deadLetter: DeadLetterReason };

export interface ConsumerHandler {
  /** One message, in offset order within its partition. Must not throw. */
  message(message: InboundMessage, ticket: Ticket): Handled;
  /** The batch's own work after its messages (the detector produces its alerts); `done` waits for it. */
  endBatch?(partition: number): Promise<void>;
  /** False while the service holds all it may; intake waits, with heartbeats, until `wake()` or 200 ms pass. */
  hasRoom?(): boolean;
  /** The group assigned these partitions; batches wait until the returned promise settles. */
  assigned?(partitions: number[]): Promise<void> | void;
  /** On stop, after intake paused and before the last commit: finish what can be finished. */
  drain?(): Promise<void>;
}

export interface ConsumerRuntimeOptions {
  /** For logs and the health message (`events`, `detector`, `notifier`). */
  name: string;
  groupId: string;
  topic: string;
  /** Partitions worked on at the same time (MCP_AUDIT_KAFKA_CONSUMER_CONCURRENCY). */
  concurrency: number;
  fetch: { maxWaitMs: number; minBytes?: number; maxBytesPerPartition?: number; maxBytes?: number; sessionTimeoutMs?: number };
  /** How often finished offsets are committed. */
  commitIntervalMs: number;
  /** Where dead letters go; needed when the handler returns any. */
  deadLetterTopic?: string;
  /** Names the metrics: `<prefix>_lag_messages{topic,partition}`, `<prefix>_redelivered_total{topic}`, ... */
  metricsPrefix: string;
}

export interface ConsumerRuntimeDeps {
  /** A client from core/kafka.ts createKafka, its connection settings, or another library's clients. */
  kafka: Kafka | KafkaConnection | KafkaClients;
  log: Logger;
  registry: Registry;
  /** Called when the consumer died for good; the process should stop so a supervisor restarts it. */
  onFatal?: (err: unknown) => void;
}

export interface ConsumerRuntime {
  start(): Promise<void>;
  /** Pause, drain (the handler's hook), commit, leave the group, close the producer. */
  stop(): Promise<void>;
  /** Marks a `pending` message finished. A ticket of an earlier assignment is ignored. */
  finish(ticket: Ticket): void;
  /** False for a ticket of an earlier assignment or before a redelivery: that message is read again. */
  isCurrent(ticket: Ticket): boolean;
  /** Commits what is finished now; resolves once a commit that started after the call ended. */
  commit(): Promise<void>;
  /** Parks messages a service gave up on after the batch ended (the notifier's undeliverable alerts). */
  deadLetter(letters: readonly DeadLetter[]): Promise<void>;
  /** The service made room: intake waiting for it looks again now. */
  wake(): void;
  /** Why the consumer is unhealthy (crashed for good), or null. */
  unhealthy(): string | null;
  /** Messages after the committed offsets, over this consumer's partitions. */
  lag(): number;
}

/** The one place a client library is chosen. */
function clientsOf(kafka: ConsumerRuntimeDeps['kafka'], log: Logger): KafkaClients {
  if (kafka instanceof Kafka) return kafkajsClients(kafka);
  return 'brokers' in kafka ? kafkajsClients(createKafka(kafka, log)) : kafka;
}

/** How long intake sleeps between looks at the handler's room when nobody wakes it. */
const ROOM_POLL_MS = 200;

export function createConsumerRuntime(options: ConsumerRuntimeOptions, handler: ConsumerHandler, deps: ConsumerRuntimeDeps): ConsumerRuntime {
  const { topic } = options;
  const log = deps.log.child({ consumer: options.name });
  const clients = clientsOf(deps.kafka, deps.log);
  const metrics = consumerMetricsOf(deps.registry, options.metricsPrefix);
  const label = { topic };
  const tracker = new OffsetTracker();
  const stopController = new AbortController();
  /** Per partition of the current assignment: the high watermark of its last fetch, and its first offset read. */
  const positions = new Map<number, { highWatermark: number; firstRead: number }>();
  let consumer: ConsumerClient | null = null;
  let producer: RecordProducer | null = null;
  let deadLetters: DeadLetterSender | null = null;
  let stopping = false;
  let crashed: string | null = null;
  let commitTimer: NodeJS.Timeout | null = null;
  let committing: Promise<void> | null = null;
  let commitQueued: Promise<void> | null = null;
  let room: PromiseWithResolvers<void> | null = null;
  /** The start in progress, which a stop waits for (a SIGTERM may come while the group is joined). */
  let starting: Promise<void> | null = null;
  /** Settles when the service is ready for the current assignment; batches wait for it. */
  let ready: Promise<void> = Promise.resolve();

  async function deadLetter(letters: readonly DeadLetter[]): Promise<void> {
    if (!deadLetters) throw new Error(`${options.name}: no dead-letter topic configured, or not started`);
    await deadLetters.send(options.deadLetterTopic!, letters);
  }

  function lagOf(partition: number): number {
    const p = positions.get(partition);
    return p ? Math.max(0, p.highWatermark - (tracker.committedOffset(partition) ?? p.firstRead)) : 0;
  }

  const updateLag = (partition: number) => metrics.lag.set({ topic, partition: String(partition) }, lagOf(partition));

  async function commitOnce(): Promise<void> {
    const offsets = tracker.committable();
    if (offsets.length === 0 || !consumer) return;
    try {
      await consumer.commit(offsets);
      tracker.committed(offsets);
      for (const o of offsets) updateLag(o.partition);
    } catch (err) {
      // Not fatal: the same offsets are offered again next time; at worst some messages come twice.
      metrics.commitFailures.inc(label);
      log.warn({ err }, 'offset commit failed; will retry');
    }
    metrics.inFlight.set(label, tracker.inFlight());
  }

  function commit(): Promise<void> {
    if (!committing) {
      committing = commitOnce().finally(() => (committing = null));
      return committing;
    }
    // A commit is running with what was finished before this call: one more follows it.
    commitQueued ??= committing.then(() => {
      commitQueued = null;
      return commit();
    });
    return commitQueued;
  }

  function wake(): void {
    room?.resolve();
    room = null;
  }

  async function waitForRoom(batch: FetchedBatch, left: () => boolean): Promise<void> {
    metrics.paused.set(label, 1);
    while (!handler.hasRoom!() && !left()) {
      await Promise.race([(room ??= Promise.withResolvers<void>()).promise, sleep(ROOM_POLL_MS)]);
      await batch.heartbeat();
    }
    metrics.paused.set(label, 0);
  }

  async function eachBatch(batch: FetchedBatch): Promise<void> {
    await ready;
    const { partition } = batch;
    const left = () => stopping || batch.abandoned();
    const done: Ticket[] = [];
    const letters: { letter: DeadLetter; ticket: Ticket }[] = [];
    let last: string | null = null;
    let consumed = 0;
    let redelivered = 0;
    try {
      for (const message of batch.messages) {
        if (left()) break;
        if (handler.hasRoom && !handler.hasRoom()) {
          await waitForRoom(batch, left);
          if (left()) break;
        }
        const ticket = tracker.receive(partition, Number(message.offset));
        consumed++;
        if (ticket.redelivered) redelivered++;
        const handled = handler.message(message, ticket);
        if (handled === 'done') done.push(ticket);
        else if (handled !== 'pending') letters.push({ ticket, letter: deadLetterOf(message, { topic, partition }, handled.deadLetter) });
        last = message.offset;
      }
    } finally {
      // Counted once per batch: a metric update per message is measurable at tens of thousands a second.
      // Also when the batch fails part-way (a heartbeat while waiting for room, with the broker gone):
      // what the handler took was read, and a pending message may still be stored.
      if (consumed > 0) metrics.consumed.inc(label, consumed);
      if (redelivered > 0) {
        metrics.redelivered.inc(label, redelivered);
        log.warn({ partition, redelivered, upTo: tracker.highestReceived(partition) }, 'messages redelivered outside a rebalance');
      }
    }
    if (last === null) return;
    if (letters.length > 0) {
      await deadLetter(letters.map((l) => l.letter));
      for (const l of letters) tracker.finish(l.ticket);
      log.debug({ partition, count: letters.length }, 'dead-lettered messages');
    }
    await handler.endBatch?.(partition);
    for (const t of done) tracker.finish(t);
    // Only now: a batch that failed before this point is fetched again from its first message.
    batch.resolve(last);
    positions.set(partition, { highWatermark: Number(batch.highWatermark), firstRead: positions.get(partition)?.firstRead ?? Number(batch.messages[0]!.offset) });
    updateLag(partition);
    metrics.inFlight.set(label, tracker.inFlight());
    await batch.heartbeat();
  }

  function assigned(partitions: number[]): void {
    // A new generation re-reads from the committed offsets: forget what was in flight. Partitions
    // may have moved to another member, whose lag gauge now speaks for them.
    tracker.reset();
    for (const partition of positions.keys()) metrics.lag.remove({ topic, partition: String(partition) });
    positions.clear();
    metrics.assignments.inc(label);
    log.info({ topic, partitions }, 'joined consumer group');
    ready = Promise.resolve(handler.assigned?.(partitions)).catch((err: unknown) => log.error({ err }, 'assignment hook failed'));
  }

  function crashedFor(err: unknown, restarting: boolean): void {
    if (restarting) {
      // The client restarts the consumer itself after a retriable error (a coordinator moving).
      log.warn({ err }, 'consumer restarting after a retriable error');
      return;
    }
    crashed = `${options.name} consumer crashed: ${err instanceof Error ? err.message : String(err)}`;
    log.error({ err }, 'consumer crashed and will not restart');
    deps.onFatal?.(err);
  }

  async function startClients(): Promise<void> {
    if (options.deadLetterTopic) {
      producer = clients.producer();
      await producer.connect();
      deadLetters = createDeadLetterSender(producer, log, stopController.signal);
    }
    consumer = clients.consumer({
      groupId: options.groupId,
      topic,
      concurrency: options.concurrency,
      maxWaitMs: options.fetch.maxWaitMs,
      minBytes: options.fetch.minBytes,
      maxBytesPerPartition: options.fetch.maxBytesPerPartition,
      maxBytes: options.fetch.maxBytes,
      sessionTimeoutMs: options.fetch.sessionTimeoutMs,
    });
    await consumer.start(eachBatch, { assigned, crashed: crashedFor });
    commitTimer = setInterval(() => void commit(), options.commitIntervalMs);
    log.info({ topic, group: options.groupId, concurrency: options.concurrency }, 'consumer started');
  }

  return {
    finish: (ticket) => tracker.finish(ticket),
    isCurrent: (ticket) => tracker.isCurrent(ticket),
    commit,
    deadLetter,
    wake,
    unhealthy: () => crashed,
    lag: () => [...positions.keys()].reduce((sum, partition) => sum + lagOf(partition), 0),

    start() {
      starting = startClients();
      return starting;
    },

    async stop() {
      if (stopping) return;
      stopping = true;
      await starting?.catch(() => {});
      const c = consumer;
      c?.pause();
      wake();
      await handler.drain?.();
      await commit();
      if (commitTimer) clearInterval(commitTimer);
      stopController.abort();
      await c?.disconnect();
      await producer?.disconnect();
      log.info({ topic }, 'consumer stopped');
    },
  };

}
