// The notifier's Prometheus metrics, labelled by destination name (never by URL: it may hold a token).
// The consumer's own (consumed, lag, in flight, paused, redelivered) come from core/kafka/consumer.metrics.ts.
import { Counter, Gauge, Histogram, type Registry } from '../core/metrics.ts';

export function createNotifierMetrics(registry: Registry) {
  const registers = [registry];
  const destination = ['destination'] as const;
  return {
    invalid: new Counter({ name: 'mcp_audit_notifier_invalid_total', help: 'Messages that are not valid alerts (dead-lettered)', registers }),
    delivered: new Counter({ name: 'mcp_audit_notifier_delivered_total', help: 'Alerts a destination accepted (2xx)', labelNames: destination, registers }),
    retried: new Counter({
      name: 'mcp_audit_notifier_retried_total',
      help: 'Failed attempts that will be retried, by reason (http_503, timeout, network, ...)',
      labelNames: ['destination', 'reason'] as const,
      registers,
    }),
    deadLettered: new Counter({
      name: 'mcp_audit_notifier_dead_lettered_total',
      help: 'Alerts parked in the alerts dead-letter topic for a destination, by reason',
      labelNames: ['destination', 'reason'] as const,
      registers,
    }),
    requestSeconds: new Histogram({
      name: 'mcp_audit_notifier_request_seconds',
      help: 'Latency of one delivery attempt (HTTP request to complete answer)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      labelNames: destination,
      registers,
    }),
    deliverySeconds: new Histogram({
      name: 'mcp_audit_notifier_delivery_seconds',
      help: 'From reading an alert to its final outcome at a destination (includes retries)',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
      labelNames: destination,
      registers,
    }),
    disabled: new Gauge({
      name: 'mcp_audit_notifier_destination_disabled',
      help: '1 when a destination answered 410 Gone and is no longer sent to (its alerts go to the DLQ)',
      labelNames: destination,
      registers,
    }),
    backlog: new Gauge({ name: 'mcp_audit_notifier_backlog', help: 'Alerts waiting for or in delivery to a destination', labelNames: destination, registers }),
    deliveryLogDropped: new Counter({
      name: 'mcp_audit_notifier_delivery_log_dropped_total',
      help: 'Rows of the best-effort deliveries table that could not be written',
      registers,
    }),
  };
}

export type NotifierMetrics = ReturnType<typeof createNotifierMetrics>;
