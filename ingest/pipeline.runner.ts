// Runs one ingest pipeline (ingest.pipeline.ts): a Kafka topic -> ClickHouse tables.
//
//   decode -> validate -> rows -> batch -> insert per table (JSONEachRow or TabSeparated) -> finished
//   (or, for events, bytes -> rows in one step: the pipeline's `transcode`, with decode for what it declines)
//   (anything that cannot be ingested) -> the pipeline's dead-letter topic with its reason -> finished
//
// The Kafka side (fetching, backpressure, offsets, commits, dead letters, stop) is the consumer
// runtime's (core/kafka/consumer.runtime.ts): an offset is committed only after ClickHouse (or the
// DLQ) confirmed it and every earlier offset of its partition; a crash re-delivers the uncommitted
// tail, and the tables collapse the repeats (ReplacingMergeTree keyed on the message's identity).
import { hostname } from 'node:os';
import type { Kafka } from 'kafkajs';
import type { ClickHouseClient } from '../core/clickhouse.ts';
import type { Config } from '../core/config.ts';
import { consumerClients } from '../core/kafka/consumer.clients.ts';
import { createConsumerRuntime } from '../core/kafka/consumer.runtime.ts';
import type { Logger } from '../core/logger.ts';
import type { Registry } from '../core/metrics.ts';
import { RowsSink } from './events.sink.ts';
import type { IngestPipeline } from './ingest.pipeline.ts';
import type { IngestMetrics } from './ingest.metrics.ts';
import { IngestStats } from './ingest.stats.ts';
import { PendingRows } from './pending.rows.ts';
import { RowBatcher } from './row.batcher.ts';

export interface PipelineRunnerDeps {
  kafka: Kafka;
  clickhouse: ClickHouseClient;
  log: Logger;
  registry: Registry;
  metrics: IngestMetrics;
  onFatal?: (err: unknown) => void;
}

export interface PipelineRunner {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Why the runner is unhealthy, or null. */
  unhealthy(): string | null;
}

/** How ingest fetches (also what bench:kafka-client reads with, so both clients are timed as ingest uses them). */
export const INGEST_FETCH = {
  // Rows wait for a batch insert (MCP_AUDIT_INGEST_FLUSH_MS) anyway: the broker collects up to
  // 256 KiB or 250 ms per fetch, instead of answering each fetch with the few events that came
  // since the last (dozens of fetch requests a second at a few thousand events/s).
  maxWaitMs: 250,
  minBytes: 256 * 1024,
  // Enough data per partition fetch for a good insert batch without buffering too much.
  maxBytesPerPartition: 4 * 1024 * 1024,
  maxBytes: 32 * 1024 * 1024,
};

export function createPipelineRunner<T>(config: Config, pipeline: IngestPipeline<T>, deps: PipelineRunnerDeps): PipelineRunner {
  const { metrics } = deps;
  const log = deps.log.child({ pipeline: pipeline.name });
  const topic = pipeline.topic;
  const label = { topic };
  const stopController = new AbortController();
  const instance = `${hostname()}:${process.pid}`;

  // Messages read and not yet stored, each known by its number (pending.rows.ts says why).
  const pending = new PendingRows(pipeline.tables.length, config.ingest.batchRows * 3);
  const sinks = pipeline.tables.map(
    (target, i) =>
      new RowsSink<number>(deps.clickhouse, log, {
        table: `${config.clickhouse.database}.${target.table}`,
        toRow: (n) => pending.row(n, i),
        tsvColumns: target.tsvColumns,
        retryMaxMs: config.ingest.retryMaxMs,
        signal: stopController.signal,
        onRetry: () => metrics.insertRetries.inc(label),
      }),
  );

  const batcher = new RowBatcher<number>(
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
    stats.deadLettered(reason, n);
  }

  const consumer = createConsumerRuntime(
    {
      name: pipeline.name,
      groupId: pipeline.groupId,
      topic,
      concurrency: config.consumer.concurrency,
      fetch: INGEST_FETCH,
      commitIntervalMs: 1000,
      deadLetterTopic: pipeline.dlqTopic,
      metricsPrefix: 'mcp_audit_ingest',
    },
    {
      message(message, ticket) {
        stats.read();
        const origin = { topic, partition: ticket.partition, offset: message.offset };
        const ingestedAt = Math.floor(Date.now() / 1000);
        const rows = pipeline.transcode?.(message.value, config.event.maxBytes, origin, ingestedAt);
        if (rows) {
          batcher.add(pending.add(rows, ticket, message));
          return 'pending';
        }
        const decoded = pipeline.decode(message.value, config.event.maxBytes);
        if (!decoded.ok) {
          countDead(decoded.reason);
          return { deadLetter: { reason: decoded.reason, step: decoded.step, detail: decoded.detail } };
        }
        batcher.add(pending.add(pipeline.tables.map((t) => t.toRow(decoded.value, origin, ingestedAt)), ticket, message));
        return 'pending';
      },
      hasRoom: () => batcher.hasRoom(),
      // Stop: insert what was read, so the runtime's last commit covers it.
      drain: () => batcher.drain(),
    },
    { ...deps, kafka: consumerClients(config, deps.kafka) },
  );

  const stats = new IngestStats(deps.clickhouse, log, { table: `${config.clickhouse.database}.ingest_stats`, topic, instance, lag: () => consumer.lag() });

  async function flush(items: number[]): Promise<void> {
    const started = performance.now();
    let remaining = items;
    const refused: { item: number; error: string }[] = [];
    for (const sink of sinks) {
      const { rejected } = await sink.write(remaining);
      if (rejected.length === 0) continue;
      const out = new Set(rejected.map((r) => r.row));
      refused.push(...rejected.map((r) => ({ item: r.row, error: r.error })));
      remaining = remaining.filter((i) => !out.has(i));
    }
    if (refused.length > 0) {
      await consumer.deadLetter(
        refused.map(({ item, error }) => {
          const message = pending.message(item);
          return {
            key: message.key,
            value: message.value,
            reason: 'sink_rejected',
            step: 'insert',
            detail: error,
            source: { topic, partition: pending.ticket(item).partition, offset: message.offset },
          };
        }),
      );
      countDead('sink_rejected', refused.length);
      log.warn({ rows: refused.length }, 'rows refused by ClickHouse were dead-lettered');
    }
    const insertMs = performance.now() - started;
    metrics.inserted.inc(label, remaining.length);
    metrics.batchRows.observe(label, items.length);
    metrics.insertSeconds.observe(label, insertMs / 1000);
    for (const item of items) consumer.finish(pending.ticket(item));
    pending.releaseThrough(items[items.length - 1]!);
    stats.stored(remaining.length, insertMs);
    consumer.wake();
    await consumer.commit();
  }

  return {
    unhealthy: () => consumer.unhealthy(),

    async start() {
      await consumer.start();
      stats.start();
      log.info({ topic, group: pipeline.groupId }, 'ingest pipeline started');
    },

    async stop() {
      await consumer.stop();
      batcher.close();
      stopController.abort();
      await stats.stop();
    },
  };
}
