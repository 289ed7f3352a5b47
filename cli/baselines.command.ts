import type { Command } from 'commander';
import { runUntilSignal } from '../core/lifecycle.ts';
import { computeBaselines } from '../detector/baselines/baselines.compute.ts';
import { loadBaselineSnapshot } from '../detector/baselines/baselines.load.ts';
import { clickhouseFor, context } from './context.ts';
import { standaloneBaselineScheduler } from './services.ts';

const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 366) throw new Error(`expected 1..366 days, got ${v}`);
  return n;
};

export function registerBaselines(program: Command): void {
  const cmd = program.command('baselines').description('Per-user and per-tool baselines computed from ClickHouse history (see detector/baselines/BASELINES.md).');

  cmd
    .command('compute')
    .description('Compute the baselines once now over the lookback (MCP_AUDIT_BASELINE_LOOKBACK_DAYS) and store them.')
    .option('--lookback-days <days>', 'override MCP_AUDIT_BASELINE_LOOKBACK_DAYS', positiveInt)
    .action(async (opts: { lookbackDays?: number }) => {
      const { config, log } = context('baselines');
      const ch = clickhouseFor(config);
      const lookbackDays = opts.lookbackDays ?? config.baselines.lookbackDays;
      const tty = process.stderr.isTTY;
      try {
        const s = await computeBaselines(ch, config.clickhouse.database, {
          lookbackDays,
          log,
          // One line updating in place on a terminal; logs get only the summary line.
          ...(tty ? { onProgress: (p: { scope: string; keys: number; hourRows: number }) => process.stderr.write(`\rbaselines: ${p.scope} keys ${p.keys}, hour rows ${p.hourRows}\x1b[K`) } : {}),
        });
        process.stderr.write(
          `${tty ? '\r' : ''}baselines: ${s.userKeys} users, ${s.toolKeys} tools, ${s.userToolKeys} user x tool over ${lookbackDays} days ` +
            `(${new Date(s.window.fromSec * 1000).toISOString()} .. ${new Date(s.window.toSec * 1000).toISOString()}), ` +
            `${s.hourRows} key-hours in ${(s.durationMs / 1000).toFixed(1)} s${tty ? '\x1b[K' : ''}\n`,
        );
      } finally {
        await ch.close();
      }
    });

  cmd
    .command('show')
    .description('Print the stored baseline of one user (newest completed run) as JSON.')
    .argument('<tenant>', 'tenant id')
    .argument('<user>', 'user id')
    .action(async (tenant: string, user: string) => {
      const { config } = context('baselines');
      const ch = clickhouseFor(config);
      try {
        const snapshot = await loadBaselineSnapshot(ch, config.clickhouse.database);
        const b = snapshot.user(tenant, user);
        if (!b) {
          process.stderr.write(`no baseline for ${tenant}:${user}${snapshot.computedAt ? '' : ' (no completed run yet)'}\n`);
          process.exitCode = 1;
          return;
        }
        const shown = { ...b, knownTools: [...b.knownTools], knownServers: [...b.knownServers], knownHosts: [...b.knownHosts] };
        process.stdout.write(JSON.stringify({ computedAt: new Date(snapshot.computedAt).toISOString(), lookbackDays: snapshot.lookbackDays, user: shown }, null, 2) + '\n');
      } finally {
        await ch.close();
      }
    });

  cmd
    .command('schedule')
    .description('Recompute on MCP_AUDIT_BASELINE_CRON until stopped (a run still going at the next tick makes that tick skip); serves /healthz and /metrics on MCP_AUDIT_BASELINE_HEALTH_PORT.')
    .action(async () => {
      const { config, log } = context('baselines');
      await runUntilSignal(standaloneBaselineScheduler(config, log), log);
    });
}
