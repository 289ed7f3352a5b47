// Prometheus metrics. Each service gets its own registry (no global default registry), so several
// services, or several test instances, can live in one process without clashing.
import { Registry, collectDefaultMetrics } from 'prom-client';

export { AggregatorRegistry, Counter, Gauge, Histogram, Registry } from 'prom-client';

export function createRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}
