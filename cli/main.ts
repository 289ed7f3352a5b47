// The `mcp-audit` command line: one program, several roles. Each command lives in its own
// `*.command.ts` file and registers itself here; commander gives every one of them `--help`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { ConfigError } from '../core/config.ts';
import { PACKAGE_ROOT } from '../core/package.paths.ts';

const { version } = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };

const program = new Command('mcp-audit')
  .description('Audit and threat detection for MCP (Model Context Protocol) tool calls.')
  .version(version, '-V, --version', 'print the version of mcp-audit')
  .showHelpAfterError()
  .configureHelp({ sortSubcommands: true });

// Each command's module, loaded on demand: a service process (and each ingest worker it forks)
// loads only its own command's code, not every service's, which took about half of a second of CPU
// per process to load and strip of types. Help and anything that is not a command name load all.
type Register = (program: Command) => void;
const COMMANDS: Record<string, () => Promise<Register>> = {
  stack: async () => (await import('./stack.command.ts')).registerStack,
  migrate: async () => (await import('./migrate.command.ts')).registerMigrate,
  proxy: async () => (await import('./proxy.command.ts')).registerProxy,
  ingest: async () => (await import('./ingest.command.ts')).registerIngest,
  detector: async () => (await import('./detector.command.ts')).registerDetector,
  notifier: async () => (await import('./notifier.command.ts')).registerNotifier,
  retention: async () => (await import('./retention.command.ts')).registerRetention,
  run: async () => (await import('./run.command.ts')).registerRun,
  api: async () => (await import('./api.command.ts')).registerApi,
  otlp: async () => (await import('./otlp.command.ts')).registerOtlp,
  keys: async () => (await import('./keys.command.ts')).registerKeys,
  rules: async () => (await import('./rules.command.ts')).registerRules,
  config: async () => (await import('./config.command.ts')).registerConfig,
  baselines: async () => (await import('./baselines.command.ts')).registerBaselines,
  simulate: async () => (await import('./simulate.command.ts')).registerSimulate,
  capture: async () => (await import('./capture.command.ts')).registerCapture,
  redact: async () => (await import('./redact.command.ts')).registerRedact,
};

const named = process.argv[2];
const wanted = named !== undefined && Object.hasOwn(COMMANDS, named) ? [named] : Object.keys(COMMANDS);
for (const register of await Promise.all(wanted.map((name) => COMMANDS[name]!()))) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`mcp-audit: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
