// vitest globalSetup: brings the default local stack up once before any test file runs (installing
// Kafka and ClickHouse on first use). The stack is left running afterwards: the next run, the CLI
// and people debugging a failed test all reuse it, and `up` on a running stack takes a second.
import { loadConfig } from '../core/config.ts';
import { createLogger } from '../core/logger.ts';
import { stackUp } from '../stack/stack.ts';

export default async function setup(): Promise<void> {
  // 'info' shows install progress on a fresh machine; on a running stack it is a few lines.
  await stackUp(loadConfig(), createLogger('info', 'stack'));
}
