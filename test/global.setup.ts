// vitest globalSetup: brings the default local stack up once before any test file runs (installing
// Kafka and ClickHouse on first use), then removes test databases and topics of earlier runs. The
// stack is left running afterwards: the next run, the CLI and people debugging a failed test all
// reuse it, and `up` on a running stack takes a second.
import { loadConfig } from '../core/config.ts';
import { createLogger } from '../core/logger.ts';
import { stackUp } from '../stack/stack.ts';
import { dropTestLeftovers } from './support/leftovers.ts';

// No test runs this long, so anything older belongs to a finished run.
const LEFTOVER_AGE_MS = 2 * 60 * 60 * 1000;

export default async function setup(): Promise<void> {
  const config = loadConfig();
  // 'info' shows install progress on a fresh machine; on a running stack it is a few lines.
  const log = createLogger('info', 'stack');
  await stackUp(config, log);
  const dropped = await dropTestLeftovers(config, createLogger('warn', 'test'), LEFTOVER_AGE_MS);
  if (dropped.databases > 0) log.info(dropped, 'removed the databases and topics of earlier test runs');
}
