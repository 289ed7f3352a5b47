// The Prometheus metrics every consumer of the runtime reports, named after its service
// (`mcp_audit_ingest_lag_messages`, `mcp_audit_detector_lag_messages`, ...) and labelled by topic.
// Ingest runs three consumers on one registry: they share the metrics (a registry refuses a name twice).
import { Counter, Gauge, type Registry } from '../metrics.ts';

function consumerMetrics(registry: Registry, prefix: string) {
  const registers = [registry];
  const topic = ['topic'] as const;
  // Every metric but the lag is one series per topic.
  const counter = (name: string, help: string) => new Counter({ name: `${prefix}_${name}`, help, labelNames: topic, registers });
  const gauge = (name: string, help: string) => new Gauge({ name: `${prefix}_${name}`, help, labelNames: topic, registers });
  return {
    consumed: counter('consumed_total', 'Messages read from Kafka'),
    redelivered: counter('redelivered_total', 'Messages Kafka delivered again without a rebalance (at or below an offset already read in the same assignment)'),
    lag: new Gauge({
      name: `${prefix}_lag_messages`,
      help: 'Messages in the partition after the last committed offset',
      labelNames: ['topic', 'partition'] as const,
      registers,
    }),
    inFlight: gauge('in_flight', 'Messages received but not yet finished'),
    paused: gauge('paused', '1 while intake waits for the service to make room (backpressure)'),
    assignments: counter('assignments_total', 'Partition assignments this member received: one per rebalance of its group; a steady rise is a rebalance storm'),
    commitFailures: counter('commit_failures_total', 'Offset commits that failed (the same offsets are offered again at the next commit)'),
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
