// The ingest service: Kafka `mcp.audit.events` -> ClickHouse `events`.
//
//   decode -> validate -> flatten into a row -> batch -> JSONEachRow insert -> commit offsets
//   (anything that cannot be ingested) -> `mcp.audit.events.dlq` with its reason -> commit
//
// At-least-once: an offset is committed only after ClickHouse (or the DLQ) confirmed it and every
// earlier offset of its partition; a crash re-delivers the uncommitted tail, and the events table
// collapses the repeats (same sorting key).
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { ClickHouseClient } from '../core/clickhouse.ts';
import type { Config } from '../core/config.ts';
import { startHealthServer, type HealthServer } from '../core/health.server.ts';
import { idempotentProducerConfig } from '../core/kafka.ts';
import { sleep, type Service } from '../core/lifecycle.ts';
import type { Logger } from '../core/logger.ts';
import type { Registry } from '../core/metrics.ts';
import { decodeEvent } from './event.decode.ts';
import { toEventRow, type EventRow } from './event.row.ts';
import { sendDeadLetters, type DeadLetter } from './dlq.producer.ts';
import { RowsSink } from './events.sink.ts';
import { createIngestMetrics } from './ingest.metrics.ts';
import { OffsetTracker, type Ticket } from './offset.tracker.ts';
import { RowBatcher } from './row.batcher.ts';

export interface IngestDeps {
  kafka: Kafka;
  clickhouse: ClickHouseClient;
  log: Logger;
  registry: Registry;
  /** Called when the consumer died for good; the process should stop so a supervisor restarts it. */
  onFatal?: (err: unknown) => void;
}

interface Item {
  row: EventRow;
  ticket: Ticket;
  message: KafkaMessage;
}

export interface IngestService extends Service {
  /** Port of the health server once started (useful when configured as 0). */
  healthPort(): number;
}

export function createIngestService(config: Config, deps: IngestDeps): IngestService {
  const { log, kafka } = deps;
  const topic = config.topics.events;
  const metrics = createIngestMetrics(deps.registry);
  const tracker = new OffsetTracker();
  const stopController = new AbortController();
  let consumer: Consumer | null = null;
  let producer: Producer | null = null;
  let health: HealthServer | null = null;
  let stopping = false;
  let crashed: string | null = null;
  let commitTimer: NodeJS.Timeout | null = null;
  let committing: Promise<void> | null = null;

  const sink = new RowsSink<Item>(deps.clickhouse, log, {
    table: `${config.clickhouse.database}.events`,
    toRow: (item) => item.row,
    retryMaxMs: config.ingest.retryMaxMs,
    signal: stopController.signal,
    onRetry: () => metrics.insertRetries.inc(),
  });

  const batcher = new RowBatcher<Item>(
    {
      maxRows: config.ingest.batchRows,
      flushMs: config.ingest.flushMs,
      // Room for the batch being inserted plus two filling up behind it; beyond that, intake waits.
      maxPending: config.ingest.batchRows * 3,
      onError: (err) => log.warn({ err }, 'flush abandoned while stopping; rows stay uncommitted'),
    },
    (items) => flush(items),
  );

  async function flush(items: Item[]): Promise<void> {
    const started = performance.now();
    const { rejected } = await sink.write(items);
    if (rejected.length > 0) {
      await deadLetter(
        rejected.map(({ row: item, error }) => ({
          key: item.message.key,
          value: item.message.value,
          reason: 'sink_rejected',
          step: 'insert',
          detail: error,
          source: { topic, partition: item.ticket.partition, offset: item.message.offset },
        })),
      );
      metrics.deadLettered.inc({ reason: 'sink_rejected' }, rejected.length);
      log.warn({ rows: rejected.length }, 'rows refused by ClickHouse were dead-lettered');
    }
    metrics.inserted.inc(items.length - rejected.length);
    metrics.batchRows.observe(items.length);
    metrics.insertSeconds.observe((performance.now() - started) / 1000);
    for (const item of items) tracker.finish(item.ticket);
    await commit();
  }

  /** Sends dead letters, retrying while Kafka is unavailable; gives up only when stopping. */
  async function deadLetter(letters: DeadLetter[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await sendDeadLetters(producer!, config.topics.eventsDlq, letters);
        return;
      } catch (err) {
        if (stopController.signal.aborted) throw err;
        log.warn({ err, attempt }, 'dead-letter produce failed, retrying');
        await sleep(Math.min(config.ingest.retryMaxMs, 200 * 2 ** Math.min(attempt, 10)), stopController.signal);
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
        // Not fatal: the same offsets are offered again next time; at worst some rows come twice.
        log.warn({ err }, 'offset commit failed; will retry');
      }
    })().finally(() => {
      committing = null;
    });
    return committing;
  }

  async function eachBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const partition = batch.partition;
    const letters: { letter: DeadLetter; ticket: Ticket }[] = [];
    const ingestedAt = Math.floor(Date.now() / 1000);
    // Counted once per batch: a metric update per message is measurable at tens of thousands a second.
    let consumed = 0;
    for (const message of batch.messages) {
      if (stopping || !isRunning() || isStale()) break;
      if (!batcher.hasRoom()) {
        await batcher.waitForRoom(heartbeat, () => stopping || !isRunning() || isStale());
        if (stopping || !isRunning() || isStale()) break;
      }
      consumed++;
      const ticket = tracker.receive(partition, Number(message.offset));
      const decoded = decodeEvent(message.value, config.event.maxBytes);
      if (decoded.ok) {
        const row = toEventRow(decoded.event, { topic, partition, offset: message.offset }, ingestedAt);
        batcher.add({ row, ticket, message });
      } else {
        letters.push({
          ticket,
          letter: {
            key: message.key,
            value: message.value,
            reason: decoded.reason,
            step: decoded.step,
            detail: decoded.detail,
            source: { topic, partition, offset: message.offset },
          },
        });
      }
      // Moves the fetch position only; what is committed is decided by the tracker.
      resolveOffset(message.offset);
    }
    metrics.consumed.inc(consumed);
    if (letters.length > 0) {
      await deadLetter(letters.map((l) => l.letter));
      for (const l of letters) {
        metrics.deadLettered.inc({ reason: l.letter.reason });
        tracker.finish(l.ticket);
      }
      log.debug({ partition, count: letters.length }, 'dead-lettered invalid messages');
    }
    const committed = tracker.committedOffset(partition);
    metrics.lag.set({ partition: String(partition) }, Math.max(0, Number(batch.highWatermark) - (committed ?? Number(batch.firstOffset() ?? 0))));
    metrics.inFlight.set(tracker.inFlight());
    metrics.paused.set(batcher.pending() >= config.ingest.batchRows * 3 ? 1 : 0);
    await heartbeat();
  }

  return {
    healthPort: () => health?.port ?? 0,

    async start() {
      producer = kafka.producer(idempotentProducerConfig);
      consumer = kafka.consumer({
        groupId: config.ingest.groupId,
        allowAutoTopicCreation: false,
        // Return a fetch as soon as data is there, but wait at most 250 ms so batches stay timely.
        maxWaitTimeInMs: 250,
        // Enough data per partition fetch for a good insert batch without buffering too much.
        maxBytesPerPartition: 4 * 1024 * 1024,
        maxBytes: 32 * 1024 * 1024,
      });
      consumer.on(consumer.events.GROUP_JOIN, (e) => {
        // A new generation re-reads from the committed offsets; forget what was in flight.
        tracker.reset();
        log.info({ assignment: e.payload.memberAssignment }, 'joined consumer group');
      });
      consumer.on(consumer.events.CRASH, (e) => {
        if (e.payload.restart) {
          // kafkajs restarts the consumer itself after a retriable error (a coordinator moving).
          log.warn({ err: e.payload.error }, 'consumer restarting after a retriable error');
          return;
        }
        crashed = String(e.payload.error?.message ?? 'consumer crashed');
        log.error({ err: e.payload.error }, 'consumer crashed and will not restart');
        deps.onFatal?.(e.payload.error);
      });
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      health = await startHealthServer({
        host: config.healthHost,
        port: config.ingest.healthPort,
        registry: deps.registry,
        unhealthy: () => crashed,
      });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        // One eachBatch per partition at a time, all partitions in parallel, into one shared batch.
        partitionsConsumedConcurrently: config.stack.eventsPartitions,
        eachBatch,
      });
      commitTimer = setInterval(() => void commit(), 1000);
      log.info({ topic, group: config.ingest.groupId, healthPort: health.port }, 'ingest started');
    },

    async stop() {
      stopping = true;
      const c = consumer;
      if (c) c.pause([{ topic }]);
      // Drain what was read, then commit it, then leave the group.
      await batcher.drain();
      await commit();
      if (commitTimer) clearInterval(commitTimer);
      batcher.close();
      stopController.abort();
      await c?.disconnect();
      await producer?.disconnect();
      await health?.close();
      log.info('ingest stopped');
    },
  };
}
