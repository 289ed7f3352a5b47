// The API's Prometheus metrics, registered on the service's own registry.
import { Counter, Histogram, type Registry } from '../core/metrics.ts';

export type ApiMetrics = ReturnType<typeof createApiMetrics>;

export function createApiMetrics(registry: Registry) {
  return {
    requests: new Counter({
      name: 'mcp_audit_api_requests_total',
      help: 'API requests answered, by route pattern, method and status code',
      labelNames: ['route', 'method', 'status'] as const,
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'mcp_audit_api_request_seconds',
      help: 'API request duration, by route pattern',
      labelNames: ['route'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    eventsAccepted: new Counter({ name: 'mcp_audit_api_events_accepted_total', help: 'Events accepted by POST /v1/events and produced to Kafka', registers: [registry] }),
    eventsRejected: new Counter({ name: 'mcp_audit_api_events_rejected_total', help: 'Events refused by POST /v1/events (invalid, oversize, wrong tenant)', registers: [registry] }),
  };
}
