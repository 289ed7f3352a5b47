// The `mcp-audit` command line: one program, several roles. Each command lives in its own
// `*.command.ts` file and registers itself here; commander gives every one of them `--help`.
import { Command } from 'commander';
import { ConfigError } from '../core/config.ts';
import { registerConfig } from './config.command.ts';
import { registerIngest } from './ingest.command.ts';
import { registerMigrate } from './migrate.command.ts';
import { registerRetention } from './retention.command.ts';
import { registerRun } from './run.command.ts';
import { registerStack } from './stack.command.ts';

const program = new Command('mcp-audit')
  .description('Audit and threat detection for MCP (Model Context Protocol) tool calls.')
  .showHelpAfterError()
  .configureHelp({ sortSubcommands: true });

registerStack(program);
registerMigrate(program);
registerIngest(program);
registerRetention(program);
registerRun(program);
registerConfig(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`mcp-audit: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
