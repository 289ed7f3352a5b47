// The demo's MCP traffic: the simulator's live mode (simulate/simulate.runner.ts) for a small team
// of one tenant, with attack chains cycling through every type, produced to the events topic until
// the demo stops.
import { randomInt } from 'node:crypto';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import { runSimulation } from '../simulate/simulate.runner.ts';
import { kafkaFor } from '../core/context.ts';
import type { NamedService } from '../core/service.group.ts';
import { DEMO_CHAINS, DEMO_RATE, DEMO_TENANT, DEMO_USERS } from './demo.config.ts';

export function demoTraffic(config: Config, log: Logger): NamedService {
  const abort = new AbortController();
  let running: Promise<void> | null = null;
  return {
    name: 'traffic',
    async start() {
      running = runSimulation(
        { kafka: kafkaFor(config, log), topic: config.topics.events, log },
        {
          users: DEMO_USERS,
          days: 0,
          // A new seed each run: event and alert ids differ from a previous run's in the same database.
          seed: randomInt(1, 2 ** 31),
          tenants: [DEMO_TENANT],
          rate: DEMO_RATE,
          inject: DEMO_CHAINS,
          signal: abort.signal,
        },
      ).then(
        () => {},
        (err: unknown) => log.error({ err }, 'demo traffic stopped with an error'),
      );
    },
    async stop() {
      abort.abort();
      await running;
      log.info('demo traffic stopped');
    },
  };
}
