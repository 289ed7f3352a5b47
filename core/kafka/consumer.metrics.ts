// The Prometheus metrics every consumer of the runtime reports, named after its service
// (`mcp_audit_ingest_lag_messages`, `mcp_audit_detector_lag_messages`, ...) and labelled by topic.
// Ingest runs three consumers on one registry: they share the metrics (a registry refuses a name twice).
import { Counter, Gauge, type Registry } from '../metrics.ts';

function consumerMetrics(registry: Registry, prefix: string) {
  const registers = [registry];
  const topic = ['topic'] as const;
  return {
    consumed: new Counter({ name: `${prefix}_consumed_total`, help: 'Messages read from Kafka', labelNames: topic, registers }),
    redelivered: new Counter({
      name: `${prefix}_redelivered_total`,
      help: 'Messages Kafka delivered again without a rebalance (at or below an offset already read in the same assignment)',
      labelNames: topic,
      registers,
    }),
    lag: new Gauge({
      name: `${prefix}_lag_messages`,
      help: 'Messages in the partition after the last committed offset',
      labelNames: ['topic', 'partition'] as const,
      registers,
    }),
    inFlight: new Gauge({ name: `${prefix}_in_flight`, help: 'Messages received but not yet finished', labelNames: topic, registers }),
    paused: new Gauge({ name: `${prefix}_paused`, help: '1 while intake waits for the service to make room (backpressure)', labelNames: topic, registers }),
    assignments: new Counter({
      name: `${prefix}_assignments_total`,
      help: 'Partition assignments this member received: one per rebalance of its group; a steady rise is a rebalance storm',
      labelNames: topic,
      registers,
    }),
    commitFailures: new Counter({
      name: `${prefix}_commit_failures_total`,
      help: 'Offset commits that failed (the same offsets are offered again at the next commit)',
      labelNames: topic,
      registers,
    }),
  };
}

export type ConsumerMetrics = ReturnType<typeof consumerMetrics>;

const made = new WeakMap<Registry, Map<string, ConsumerMetrics>>();

/** The consumer metrics of `prefix` in `registry`, made on first use. */
export function consumerMetricsOf(registry: Registry, prefix: string): ConsumerMetrics {
  let byPrefix = made.get(registry);
  if (!byPrefix) made.set(registry, (byPrefix = new Map()));
  let metrics = byPrefix.get(prefix);
  if (!metrics) byPrefix.set(prefix, (metrics = consumerMetrics(registry, prefix)));
  return metrics;
}
