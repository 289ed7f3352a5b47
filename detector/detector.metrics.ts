// The detector service's Prometheus metrics. The consumer's own (consumed, lag, in flight, paused,
// redelivered) come from core/kafka/consumer.metrics.ts.
import { Counter, Gauge, type Registry } from '../core/metrics.ts';

export function createDetectorMetrics(registry: Registry) {
  const registers = [registry];
  return {
    skipped: new Counter({
      name: 'mcp_audit_detector_skipped_total',
      help: 'Invalid events skipped (ingest dead-letters them), by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    alerts: new Counter({
      name: 'mcp_audit_detector_alerts_total',
      help: 'Alerts produced, by rule and severity',
      labelNames: ['rule', 'severity'] as const,
      registers,
    }),
    signals: new Counter({
      name: 'mcp_audit_detector_signals_total',
      help: 'Signals raised (rule matches whose risk adds to a story instead of alerting), by rule',
      labelNames: ['rule'] as const,
      registers,
    }),
    engineErrors: new Counter({ name: 'mcp_audit_detector_engine_errors_total', help: 'Events the rule engine failed on', registers }),
    rebuiltEvents: new Counter({
      name: 'mcp_audit_detector_rebuilt_events_total',
      help: 'Events replayed from ClickHouse to rebuild state after a start or rebalance',
      registers,
    }),
    openIncidents: new Gauge({ name: 'mcp_audit_detector_open_incidents', help: 'Incidents still collecting alerts', registers }),
  };
}
