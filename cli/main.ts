// The `mcp-audit` command line: one program, several roles. Each command lives in its own
// `*.command.ts` file and registers itself here; commander gives every one of them `--help`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { ConfigError } from '../core/config.ts';
import { PACKAGE_ROOT } from '../core/package.paths.ts';
import { registerBaselines } from './baselines.command.ts';
import { registerCapture } from './capture.command.ts';
import { registerApi } from './api.command.ts';
import { registerConfig } from './config.command.ts';
import { registerDetector } from './detector.command.ts';
import { registerIngest } from './ingest.command.ts';
import { registerKeys } from './keys.command.ts';
import { registerMigrate } from './migrate.command.ts';
import { registerProxy } from './proxy.command.ts';
import { registerRedact } from './redact.command.ts';
import { registerNotifier } from './notifier.command.ts';
import { registerOtlp } from './otlp.command.ts';
import { registerRetention } from './retention.command.ts';
import { registerRules } from './rules.command.ts';
import { registerRun } from './run.command.ts';
import { registerSimulate } from './simulate.command.ts';
import { registerStack } from './stack.command.ts';

const { version } = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };

const program = new Command('mcp-audit')
  .description('Audit and threat detection for MCP (Model Context Protocol) tool calls.')
  .version(version, '-V, --version', 'print the version of mcp-audit')
  .showHelpAfterError()
  .configureHelp({ sortSubcommands: true });

registerStack(program);
registerMigrate(program);
registerProxy(program);
registerIngest(program);
registerDetector(program);
registerNotifier(program);
registerRetention(program);
registerRun(program);
registerApi(program);
registerOtlp(program);
registerKeys(program);
registerRules(program);
registerConfig(program);
registerBaselines(program);
registerSimulate(program);
registerCapture(program);
registerRedact(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`mcp-audit: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
