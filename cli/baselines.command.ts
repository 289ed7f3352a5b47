import { InvalidArgumentError, type Command } from 'commander';
import { runUntilSignal } from '../core/lifecycle.ts';
import { computeBaselines } from '../detector/baselines/baselines.compute.ts';
import { loadBaselineSnapshot } from '../detector/baselines/baselines.load.ts';
import { clickhouseFor, context } from '../core/context.ts';
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
    .description('Compute the baselines once over the lookback (MCP_AUDIT_BASELINE_LOOKBACK_DAYS) up to now, or up to --as-of, and store them.')
    .option('--lookback-days <days>', 'override MCP_AUDIT_BASELINE_LOOKBACK_DAYS', positiveInt)
    .option('--as-of <time>', 'compute as the scheduler would have at this time (RFC 3339), e.g. for history replayed into the past', asOfTime)
    .option('--json', 'print the summary as one JSON object on stdout')
    .action(async (opts: { lookbackDays?: number; asOf?: number; json?: boolean }) => {
      const { config, log } = context('baselines');
      const ch = clickhouseFor(config);
      const lookbackDays = opts.lookbackDays ?? config.baselines.lookbackDays;
      const tty = process.stderr.isTTY;
      try {
        const s = await computeBaselines(ch, config.clickhouse.database, {
          lookbackDays,
          log,
          ...(opts.asOf !== undefined ? { now: opts.asOf } : {}),
          // One line updating in place on a terminal; logs get only the summary line.
          ...(tty ? { onProgress: (p: { scope: string; keys: number; hourRows: number }) => process.stderr.write(`\rbaselines: ${p.scope} keys ${p.keys}, hour rows ${p.hourRows}\x1b[K`) } : {}),
        });
        process.stderr.write(
          `${tty ? '\r' : ''}baselines: ${s.userKeys} users, ${s.toolKeys} tools, ${s.userToolKeys} user x tool over ${lookbackDays} days ` +
            `(${new Date(s.window.fromSec * 1000).toISOString()} .. ${new Date(s.window.toSec * 1000).toISOString()}), ` +
            `${s.hourRows} key-hours in ${(s.durationMs / 1000).toFixed(1)} s${tty ? '\x1b[K' : ''}\n`,
        );
        if (opts.json) {
          const iso = (sec: number) => new Date(sec * 1000).toISOString();
          process.stdout.write(`${JSON.stringify({ users: s.userKeys, tools: s.toolKeys, user_tools: s.userToolKeys, lookback_days: lookbackDays, from: iso(s.window.fromSec), to: iso(s.window.toSec), key_hours: s.hourRows, seconds: s.durationMs / 1000 })}\n`);
        }
      } finally {
        await ch.close();
      }
    });

  cmd
    .command('show')
    .description('Print the stored baseline of one user (newest completed run) as JSON.')
    .argument('<tenant>', 'tenant id')
    .argument('<user>', 'user id')
    // JSON is what it prints anyway; the flag is accepted so scripts can pass --json to every listing.
    .option('--json', 'print the baseline as JSON (the default)')
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

/** `--as-of`: an RFC 3339 time, as epoch ms; commander reports the error with the option's name. */
function asOfTime(value: string): number {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(ms)) throw new InvalidArgumentError(`not an RFC 3339 time: ${value}`);
  return ms;
}
