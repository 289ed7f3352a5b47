// The spill buffer's Prometheus metrics (registered in `registry`, or nowhere when it is absent).
import { Counter, Gauge, type Registry } from '../core/metrics.ts';

export function spillMetrics(registry: Registry | undefined) {
  const registers = registry ? [registry] : [];
  return {
    seen: new Counter({ name: 'mcp_audit_capture_calls_total', help: 'Audit events pushed by capture: one per call.', registers }),
    events: new Counter({
      name: 'mcp_audit_capture_events_total',
      help: 'Audit events by final outcome: sent (acknowledged by Kafka), spilled (cannot be sent; kept in the rejects file, reason invalid or rejected), dropped (lost, reason spill_full, write_failed or corrupt_line).',
      labelNames: ['outcome', 'reason'],
      registers,
    }),
    spooled: new Counter({ name: 'mcp_audit_capture_spooled_events_total', help: 'Events written to the spill file while Kafka was away, to be replayed.', registers }),
    adopted: new Counter({ name: 'mcp_audit_capture_adopted_events_total', help: 'Events taken over from the spill files of dead processes.', registers }),
    memory: new Gauge({ name: 'mcp_audit_capture_buffered_events', help: 'Events waiting in memory.', registers }),
    spillBytes: new Gauge({ name: 'mcp_audit_capture_spill_bytes', help: 'Bytes in spill files not yet sent.', registers }),
    kafkaUp: new Gauge({ name: 'mcp_audit_capture_kafka_up', help: '1 while Kafka acknowledges sends in time.', registers }),
  };
}
