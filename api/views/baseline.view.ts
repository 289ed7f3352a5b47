// Baselines as the API shows them: what normal looks like for one user or one server x tool, as the
// newest completed baseline run stored it (detector/baselines/BASELINES.md explains each figure),
// beside the same figures over the last 24 hours from `events`.
import type { ClickHouseClient } from '../../core/clickhouse.ts';
import { z } from 'zod';
import { metricFrom, type MetricPrefix } from '../../detector/baselines/baseline.row.ts';
import type { LatestRun } from '../../detector/baselines/baselines.load.ts';
import { isoTime, toIso } from '../api.schemas.ts';
import { newestRun, recentFigures, toolBaselineRow, userBaselineRows, type RecentKey, type StoredBaselineRow } from '../queries/baselines.queries.ts';
import type { TenantScope } from '../queries/tenant.scope.ts';

const RECENT_MS = 24 * 3_600_000;

// No registered id: each use carries its own description (a described copy of a registered schema
// would claim the same id twice).
const metric = z.object({
  samples: z.number().int().describe('Active hours (per-hour metrics) or successful calls (per-call metrics) the figures come from'),
  median: z.number(),
  mad: z.number().describe('Median absolute deviation (raw, not scaled by 1.4826)'),
  p95: z.number(),
});

const runOut = z
  .object({ computed_at: isoTime, lookback_days: z.number().int() })
  .describe('The baseline run these figures come from (the newest completed one)');

const recentOut = z
  .object({
    from: isoTime,
    to: isoTime,
    calls: z.number().int().describe('Tool calls'),
    errors: z.number().int().describe('Calls that ended in error'),
    bytes_out: z.number().int().describe('Argument bytes sent'),
    bytes_in: z.number().int().describe('Result bytes of successful calls'),
    active_hours: z.number().int().describe('Hours with at least one tool call'),
    peak_calls_per_hour: z.number().int().describe('Tool calls in the busiest hour'),
  })
  .describe('The same key over the last 24 hours, counted from the events as the baseline job counts them')
  .meta({ id: 'BaselineRecent' });

const seen = {
  first_seen: isoTime.describe('First event of the key within the lookback'),
  last_seen: isoTime.describe('Last event of the key within the lookback'),
  weeks: z.number().describe('Weeks of history the baseline covers'),
  calls: z.number().int().describe('Tool calls within the lookback'),
};

export const userBaselineOut = z
  .object({
    user_id: z.string(),
    run: runOut,
    ...seen,
    calls_per_hour: metric.describe('Tool calls per active hour'),
    bytes_out_per_hour: metric.describe('Argument bytes sent per active hour'),
    bytes_in_per_call: metric.describe('Result bytes per successful call'),
    error_rate_per_hour: metric.describe('Share of calls that ended in error, per active hour (0..1)'),
    distinct_resources_per_hour: metric.describe('Distinct paths, hosts, recipients and tables per active hour'),
    hour_of_week: z.array(z.number().int()).describe('168 entries (0 = Monday 00:00 UTC): weeks in which that hour saw a tool call'),
    known_tools: z.array(z.string()),
    known_servers: z.array(z.string()),
    known_hosts: z.array(z.string()),
    tools: z
      .array(z.object({ tool_name: z.string(), calls: z.number().int(), calls_per_hour: metric }))
      .describe('Per-tool baselines of the user (across servers), most calls first, at most 1000'),
    recent: recentOut,
  })
  .meta({ id: 'UserBaseline' });
export type UserBaselineOut = z.infer<typeof userBaselineOut>;

export const toolBaselineOut = z
  .object({
    server_name: z.string(),
    tool_name: z.string(),
    run: runOut,
    ...seen,
    calls_per_hour: metric.describe('Calls per active hour (all users)'),
    result_bytes_per_call: metric.describe('Result bytes per successful call'),
    error_rate_per_hour: metric.describe('Share of calls that ended in error, per active hour (0..1)'),
    recent: recentOut,
  })
  .meta({ id: 'ToolBaseline' });
export type ToolBaselineOut = z.infer<typeof toolBaselineOut>;

/** A view's answer, or why there is none (the route maps it to 404 with that detail). */
export type Found<T> = { found: true; view: T } | { found: false; missing: string };

const NO_RUN: Found<never> = { found: false, missing: 'no baseline run has completed yet (mcp-audit baselines compute)' };

const m = (r: StoredBaselineRow, prefix: MetricPrefix) => metricFrom(r as Record<string, unknown>, prefix);

function seenOf(r: StoredBaselineRow) {
  return {
    first_seen: toIso(Number(r.first_seen_sec) * 1000),
    last_seen: toIso(Number(r.last_seen_sec) * 1000),
    weeks: Number(r.weeks),
    calls: Number(r.calls),
  };
}

const runOf = (run: LatestRun) => ({ computed_at: toIso(run.computedAtMs), lookback_days: run.lookbackDays });

async function recentOf(ch: ClickHouseClient, scope: TenantScope, key: RecentKey, nowMs: number) {
  const to = nowMs;
  const from = to - RECENT_MS;
  const f = await recentFigures(ch, scope, key, from, to);
  return {
    from: toIso(from),
    to: toIso(to),
    calls: Number(f.calls),
    errors: Number(f.errors),
    bytes_out: Number(f.bytes_out),
    bytes_in: Number(f.bytes_in),
    active_hours: Number(f.active_hours),
    peak_calls_per_hour: Number(f.peak_calls_per_hour),
  };
}

/** A user's baseline in the newest run, with their per-tool rows, beside the 24 hours before `nowMs`. */
export async function userBaseline(ch: ClickHouseClient, scope: TenantScope, userId: string, nowMs: number): Promise<Found<UserBaselineOut>> {
  const run = await newestRun(ch, scope);
  if (!run) return NO_RUN;
  const found = await userBaselineRows(ch, scope, run, userId);
  const user = found.find((r) => r.scope === 'user');
  if (!user) return { found: false, missing: 'no baseline for this user in the newest run' };
  const hourOfWeek = user.hour_of_week.map(Number);
  return {
    found: true,
    view: {
      user_id: userId,
      run: runOf(run),
      ...seenOf(user),
      calls_per_hour: m(user, 'calls_per_hour'),
      bytes_out_per_hour: m(user, 'bytes_out_per_hour'),
      bytes_in_per_call: m(user, 'bytes_in_per_call'),
      error_rate_per_hour: m(user, 'error_rate_per_hour'),
      distinct_resources_per_hour: m(user, 'distinct_resources_per_hour'),
      hour_of_week: hourOfWeek.length === 168 ? hourOfWeek : new Array<number>(168).fill(0),
      known_tools: user.known_tools,
      known_servers: user.known_servers,
      known_hosts: user.known_hosts,
      tools: found
        .filter((r) => r.scope === 'user_tool')
        .slice(0, 1000)
        .map((r) => ({ tool_name: r.tool_name, calls: Number(r.calls), calls_per_hour: m(r, 'calls_per_hour') })),
      recent: await recentOf(ch, scope, { user: userId }, nowMs),
    },
  };
}

/** A server x tool's baseline across users in the newest run, beside the 24 hours before `nowMs`. */
export async function toolBaseline(ch: ClickHouseClient, scope: TenantScope, server: string, tool: string, nowMs: number): Promise<Found<ToolBaselineOut>> {
  const run = await newestRun(ch, scope);
  if (!run) return NO_RUN;
  const row = await toolBaselineRow(ch, scope, run, server, tool);
  if (!row) return { found: false, missing: 'no baseline for this server and tool in the newest run' };
  return {
    found: true,
    view: {
      server_name: server,
      tool_name: tool,
      run: runOf(run),
      ...seenOf(row),
      calls_per_hour: m(row, 'calls_per_hour'),
      result_bytes_per_call: m(row, 'bytes_in_per_call'),
      error_rate_per_hour: m(row, 'error_rate_per_hour'),
      recent: await recentOf(ch, scope, { server, tool }, nowMs),
    },
  };
}
