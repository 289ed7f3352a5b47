// The ingest service's Prometheus metrics, labelled by topic (events, alerts, signals). The consumer's
// own (consumed, lag, in flight, paused, redelivered) come from core/kafka/consumer.metrics.ts.
import { Counter, Histogram, type Registry } from '../core/metrics.ts';

export function createIngestMetrics(registry: Registry) {
  const registers = [registry];
  const topic = ['topic'] as const;
  return {
    inserted: new Counter({ name: 'mcp_audit_ingest_inserted_total', help: 'Messages whose rows ClickHouse confirmed', labelNames: topic, registers }),
    deadLettered: new Counter({
      name: 'mcp_audit_ingest_dead_lettered_total',
      help: 'Messages parked in the dead-letter topic, by reason',
      labelNames: ['topic', 'reason'] as const,
      registers,
    }),
    insertRetries: new Counter({ name: 'mcp_audit_ingest_insert_retries_total', help: 'Failed inserts retried', labelNames: topic, registers }),
    batchRows: new Histogram({
      name: 'mcp_audit_ingest_batch_rows',
      help: 'Rows per ClickHouse insert',
      buckets: [1, 10, 100, 1_000, 5_000, 10_000, 20_000, 50_000, 100_000],
      labelNames: topic,
      registers,
    }),
    insertSeconds: new Histogram({
      name: 'mcp_audit_ingest_insert_seconds',
      help: 'Latency of one batch, all its tables, until ClickHouse confirmed',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      labelNames: topic,
      registers,
    }),
  };
}

export type IngestMetrics = ReturnType<typeof createIngestMetrics>;
