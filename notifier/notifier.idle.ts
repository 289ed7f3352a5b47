// The notifier with no destinations configured: it stays up and healthy, consuming nothing, and says
// so at start. Destinations are optional (alerts are stored and served by the api either way), so a
// deployment without them must not crash-loop under a restart policy; it delivers once a list is
// set and it is restarted. Consuming nothing keeps the group's offsets where they were, so nothing
// is skipped that a later configuration should deliver.
import type { Config } from '../core/config.ts';
import { startHealthServer, type HealthServer } from '../core/health.server.ts';
import type { Logger } from '../core/logger.ts';
import type { Registry } from '../core/metrics.ts';
import { NO_DESTINATIONS } from './destinations.config.ts';

export interface IdleNotifier {
  start(): Promise<void>;
  stop(): Promise<void>;
  healthPort(): number;
}

export function createIdleNotifier(config: Config, deps: { log: Logger; registry: Registry }): IdleNotifier {
  let health: HealthServer | null = null;
  return {
    healthPort: () => health?.port ?? 0,
    async start() {
      health = await startHealthServer({ host: config.healthHost, port: config.notifier.healthPort, registry: deps.registry, unhealthy: () => null });
      deps.log.warn({ healthPort: health.port }, `${NO_DESTINATIONS}: the notifier idles and delivers nothing; alerts are still stored and served by the api (set one and restart it to deliver)`);
    },
    async stop() {
      await health?.close();
      health = null;
    },
  };
}
