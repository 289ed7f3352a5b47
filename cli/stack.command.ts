// `mcp-audit stack up | down | status`: the local Kafka and ClickHouse this project runs against on
// a developer machine or CI (see stack/stack.ts). Logs are JSON on stdout; `status` prints a table.
import type { Command } from 'commander';
import { loadConfig } from '../core/config.ts';
import { createLogger } from '../core/logger.ts';
import { formatStackStatus, stackDown, stackStatus, stackUp } from '../stack/stack.ts';

export function registerStack(program: Command): void {
  const stack = program
    .command('stack')
    .description('Local Kafka (KRaft, from Maven Central) and ClickHouse on 127.0.0.1, for development and tests.');

  stack
    .command('up')
    .description(
      'Install on first use, start Kafka and ClickHouse if they are not running, wait until both answer, ' +
        'and create the topics. Safe to run again.',
    )
    .action(async () => {
      const config = loadConfig();
      await reportFailure('up', () => stackUp(config, createLogger(config.logLevel)));
    });

  stack
    .command('down')
    .description('Stop the Kafka and ClickHouse this stack started (found through its pid files). Data is kept.')
    .action(async () => {
      const config = loadConfig();
      await reportFailure('down', () => stackDown(config, createLogger(config.logLevel)));
    });

  stack
    .command('status')
    .description('Show what runs where: pid, address and log folder of each service, and a port held by a process this stack did not start. Exit code 3 if one is not ready.')
    .option('--json', 'print the services as a JSON array')
    .action(async (opts: { json?: boolean }) => {
      const services = await stackStatus(loadConfig());
      process.stdout.write(opts.json ? `${JSON.stringify(services)}\n` : `${formatStackStatus(services)}\n`);
      // The LSB convention for "program is not running", as `service x status` uses it.
      if (!services.every((s) => s.ready)) process.exitCode = 3;
    });
}

/** A failed start is an expected outcome (port taken, download failed): a message, not a stack trace. */
async function reportFailure(what: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    process.stderr.write(`mcp-audit stack ${what} failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
