// Runs one ingest pipeline (ingest.pipeline.ts): a Kafka topic -> ClickHouse tables.
//
//   decode -> validate -> rows -> batch -> JSONEachRow insert per table -> commit offsets
//   (anything that cannot be ingested) -> the pipeline's dead-letter topic with its reason -> commit
//
// At-least-once: an offset is committed only after ClickHouse (or the DLQ) confirmed it and every
// earlier offset of its partition (offset.tracker.ts); a crash re-delivers the uncommitted tail,
// and the tables collapse the repeats (ReplacingMergeTree keyed on the message's identity).
import { hostname } from 'node:os';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { ClickHouseClient } from '../core/clickhouse.ts';
import type { Config } from '../core/config.ts';
import { sleep } from '../core/lifecycle.ts';
import type { Logger } from '../core/logger.ts';
import { sendDeadLetters, type DeadLetter } from './dlq.producer.ts';
import { RowsSink } from './events.sink.ts';
import type { IngestPipeline } from './ingest.pipeline.ts';
import type { IngestMetrics } from './ingest.metrics.ts';
import { OffsetTracker, type Ticket } from './offset.tracker.ts';
import { RowBatcher } from './row.batcher.ts';

interface Item {
  /** One row per table of the pipeline, in the same order. */
  rows: object[];
  ticket: Ticket;
  message: KafkaMessage;
}

export interface PipelineRunnerDeps {
  kafka: Kafka;
  clickhouse: ClickHouseClient;
  log: Logger;
  metrics: IngestMetrics;
  /** Shared producer for dead letters (idempotent, connected by the service). */
  producer: () => Producer;
  onFatal?: (err: unknown) => void;
}

export interface PipelineRunner {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Why the runner is unhealthy, or null. */
  unhealthy(): string | null;
}

export function createPipelineRunner<T>(config: Config, pipeline: IngestPipeline<T>, deps: PipelineRunnerDeps): PipelineRunner {
  const { kafka, metrics } = deps;
  const log = deps.log.child({ pipeline: pipeline.name });
  const topic = pipeline.topic;
  const label = { topic };
  const tracker = new OffsetTracker();
  const stopController = new AbortController();
  const instance = `${hostname()}:${process.pid}`;
  let consumer: Consumer | null = null;
  let stopping = false;
  let crashed: string | null = null;
  let commitTimer: NodeJS.Timeout | null = null;
  let committing: Promise<void> | null = null;
  // Counts since the last `ingest_stats` row.
  let consumedSince = 0;
  const deadSince = new Map<string, number>();
  let lagTotal = 0;
  const lagPartitions = new Set<number>();

  const sinks = pipeline.tables.map(
    (target, i) =>
      new RowsSink<Item>(deps.clickhouse, log, {
        table: `${config.clickhouse.database}.${target.table}`,
        toRow: (item) => item.rows[i]!,
        retryMaxMs: config.ingest.retryMaxMs,
        signal: stopController.signal,
        onRetry: () => metrics.insertRetries.inc(label),
      }),
  );

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

  function countDead(reason: string, n = 1): void {
    metrics.deadLettered.inc({ topic, reason }, n);
    deadSince.set(reason, (deadSince.get(reason) ?? 0) + n);
  }

  async function flush(items: Item[]): Promise<void> {
    const started = performance.now();
    let remaining = items;
    const refused: { item: Item; error: string }[] = [];
    for (const sink of sinks) {
      const { rejected } = await sink.write(remaining);
      if (rejected.length === 0) continue;
      const out = new Set(rejected.map((r) => r.row));
      refused.push(...rejected.map((r) => ({ item: r.row, error: r.error })));
      remaining = remaining.filter((i) => !out.has(i));
    }
    if (refused.length > 0) {
      await deadLetter(
        refused.map(({ item, error }) => ({
          key: item.message.key,
          value: item.message.value,
          reason: 'sink_rejected',
          step: 'insert',
          detail: error,
          source: { topic, partition: item.ticket.partition, offset: item.message.offset },
        })),
      );
      countDead('sink_rejected', refused.length);
      log.warn({ rows: refused.length }, 'rows refused by ClickHouse were dead-lettered');
    }
    const insertMs = performance.now() - started;
    metrics.inserted.inc(label, remaining.length);
    metrics.batchRows.observe(label, items.length);
    metrics.insertSeconds.observe(label, insertMs / 1000);
    for (const item of items) tracker.finish(item.ticket);
    await commit();
    await writeStats(remaining.length, insertMs);
  }

  /** One `ingest_stats` row per flush for the pipeline-health dashboard; best effort. */
  async function writeStats(inserted: number, insertMs: number): Promise<void> {
    const reasons = [...deadSince.keys()];
    const row = {
      ts: Math.floor(Date.now() / 1000),
      topic,
      consumed: consumedSince,
      inserted,
      dead_lettered: reasons.reduce((n, r) => n + deadSince.get(r)!, 0),
      dead_letter_reasons: reasons,
      dead_letter_counts: reasons.map((r) => deadSince.get(r)!),
      insert_ms: insertMs,
      lag: lagTotal,
      instance,
    };
    consumedSince = 0;
    deadSince.clear();
    try {
      await deps.clickhouse.insert({ table: `${config.clickhouse.database}.ingest_stats`, values: [row], format: 'JSONEachRow' });
    } catch (err) {
      log.debug({ err }, 'could not write ingest_stats');
    }
  }

  /** Sends dead letters, retrying while Kafka is unavailable; gives up only when stopping. */
  async function deadLetter(letters: DeadLetter[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await sendDeadLetters(deps.producer(), pipeline.dlqTopic, letters);
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
      const decoded = pipeline.decode(message.value, config.event.maxBytes);
      if (decoded.ok) {
        const origin = { topic, partition, offset: message.offset };
        batcher.add({ rows: pipeline.tables.map((t) => t.toRow(decoded.value, origin, ingestedAt)), ticket, message });
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
    metrics.consumed.inc(label, consumed);
    consumedSince += consumed;
    if (letters.length > 0) {
      await deadLetter(letters.map((l) => l.letter));
      for (const l of letters) {
        countDead(l.letter.reason);
        tracker.finish(l.ticket);
      }
      log.debug({ partition, count: letters.length }, 'dead-lettered invalid messages');
    }
    const committed = tracker.committedOffset(partition);
    const lag = Math.max(0, Number(batch.highWatermark) - (committed ?? Number(batch.firstOffset() ?? 0)));
    metrics.lag.set({ topic, partition: String(partition) }, lag);
    lagPartitions.add(partition);
    lagTotal = lag;
    metrics.inFlight.set(label, tracker.inFlight());
    metrics.paused.set(label, batcher.hasRoom() ? 0 : 1);
    await heartbeat();
  }

  return {
    unhealthy: () => crashed,

    async start() {
      consumer = kafka.consumer({
        groupId: pipeline.groupId,
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
        // Partitions may have moved to another ingest worker, whose lag gauge now speaks for them
        // (the primary sums the workers' gauges); ours come back with the next fetch.
        for (const partition of lagPartitions) metrics.lag.remove({ topic, partition: String(partition) });
        lagPartitions.clear();
        log.info({ assignment: e.payload.memberAssignment }, 'joined consumer group');
      });
      consumer.on(consumer.events.CRASH, (e) => {
        if (e.payload.restart) {
          // kafkajs restarts the consumer itself after a retriable error (a coordinator moving).
          log.warn({ err: e.payload.error }, 'consumer restarting after a retriable error');
          return;
        }
        crashed = `${pipeline.name}: ${String(e.payload.error?.message ?? 'consumer crashed')}`;
        log.error({ err: e.payload.error }, 'consumer crashed and will not restart');
        deps.onFatal?.(e.payload.error);
      });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        // One eachBatch per partition at a time, all partitions in parallel, into one shared batch.
        partitionsConsumedConcurrently: config.stack.eventsPartitions,
        eachBatch,
      });
      commitTimer = setInterval(() => void commit(), 1000);
      log.info({ topic, group: pipeline.groupId }, 'ingest pipeline started');
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
    },
  };
}
