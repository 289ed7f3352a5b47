import type { Command } from 'commander';
import { runUntilSignal } from '../core/lifecycle.ts';
import { context } from '../core/context.ts';
import { apiService } from './services.ts';

export function registerOtlp(program: Command): void {
  program
    .command('otlp')
    .description(
      'Serve only the OTLP/HTTP receiver (POST /v1/traces and /v1/logs, protobuf or JSON, gzip; an events:write API key) on MCP_AUDIT_OTLP_HOST:MCP_AUDIT_OTLP_PORT (4318): MCP spans and Claude Code tool events become audit events on the events topic. /healthz, /readyz, /metrics on the same port. The api serves the same routes on its own port.',
    )
    .action(async () => {
      const { config, log } = context('otlp');
      await runUntilSignal(apiService(config, log, 'otlp'), log);
    });
}
