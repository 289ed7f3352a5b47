// Counters of the OTLP receiver, on the registry of the service that serves it (api or otlp).
import { Counter, type Registry } from '../core/metrics.ts';

export type OtlpMetrics = ReturnType<typeof createOtlpMetrics>;

export function createOtlpMetrics(registry: Registry) {
  return {
    items: new Counter({
      name: 'mcp_audit_otlp_items_total',
      help: 'Spans and log records received over OTLP, by signal and outcome: event (an audit event was produced), not_mcp (skipped: not MCP or tool telemetry), not_audited (skipped: an MCP method or event capture does not report), rejected (refused in a partial success)',
      labelNames: ['signal', 'outcome'] as const,
      registers: [registry],
    }),
    requestsRefused: new Counter({
      name: 'mcp_audit_otlp_requests_refused_total',
      help: 'OTLP requests refused whole (nothing of them stored), by signal and HTTP status',
      labelNames: ['signal', 'status'] as const,
      registers: [registry],
    }),
  };
}
