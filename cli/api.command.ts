import type { Command } from 'commander';
import { runUntilSignal } from '../core/lifecycle.ts';
import { context } from '../core/context.ts';
import { apiService } from './services.ts';

export function registerApi(program: Command): void {
  program
    .command('api')
    .description(
      'Serve the incident API (incidents, alerts, events, baselines, rules and their dry run, POST /v1/events) with API keys, OpenAPI at /openapi.json and docs at /docs; /healthz, /readyz, /metrics on the same port.',
    )
    .action(async () => {
      const { config, log } = context('api');
      await runUntilSignal(apiService(config, log), log);
    });
}
