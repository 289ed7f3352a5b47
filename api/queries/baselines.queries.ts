// Baseline queries: one user's or one tool's rows of the newest completed baseline run, the same
// figures over recent hours straight from `events` (for comparison), and the tenant's whole run as
// a snapshot for rule dry runs. Tenant data is read only through `fromTenant`; which run is the
// newest comes from `baseline_runs` (no tenant data) via the detector's own `latestRun`.
import type { ClickHouseClient } from '../../core/clickhouse.ts';
import { raw, sql, type SqlFragment } from '../../core/sql.ts';
import type { BaselineRow } from '../../detector/baselines/baseline.row.ts';
import type { BaselineSnapshot } from '../../detector/baselines/baseline.types.ts';
import { buildSnapshot, latestRun, type LatestRun } from '../../detector/baselines/baselines.load.ts';
import { readRows } from '../../core/clickhouse.rows.ts';
import { fromTenant, type TenantScope } from './tenant.scope.ts';

/**
 * A stored baseline row as ClickHouse returns it (64-bit numbers may come as strings, DateTime
 * columns as local-time text), plus its first and last event as epoch seconds.
 */
export type StoredBaselineRow = { [K in keyof BaselineRow]: BaselineRow[K] extends number ? number | string : BaselineRow[K] } & {
  first_seen_sec: number | string;
  last_seen_sec: number | string;
};

// Epoch seconds do not depend on the server's time zone, unlike DateTime text.
const ROW_COLUMNS = raw('*, toUInt32(first_seen) AS first_seen_sec, toUInt32(last_seen) AS last_seen_sec');

/** Per-tool rows of one user shown at most (ordered by calls). */
const MAX_USER_TOOLS = 1_000;

export function newestRun(ch: ClickHouseClient, scope: TenantScope): Promise<LatestRun | undefined> {
  return latestRun(ch, scope.database);
}

/** The user's row (scope `user`) and their per-tool rows (scope `user_tool`) of one run. */
export function userBaselineRows(ch: ClickHouseClient, scope: TenantScope, run: LatestRun, userId: string): Promise<StoredBaselineRow[]> {
  return readRows<StoredBaselineRow>(
    ch,
    sql`SELECT ${ROW_COLUMNS} FROM ${fromTenant(scope, 'baselines', { final: true })}
        AND scope IN ('user', 'user_tool') AND user_id = ${userId} AND computed_at_ms = ${run.computedAtMs}
        ORDER BY scope = 'user' DESC, calls DESC, tool_name LIMIT ${MAX_USER_TOOLS + 1}`,
  );
}

/** The row of one server x tool (scope `tool`) of one run, or null. */
export async function toolBaselineRow(
  ch: ClickHouseClient,
  scope: TenantScope,
  run: LatestRun,
  serverName: string,
  toolName: string,
): Promise<StoredBaselineRow | null> {
  const found = await readRows<StoredBaselineRow>(
    ch,
    sql`SELECT ${ROW_COLUMNS} FROM ${fromTenant(scope, 'baselines', { final: true })}
        AND scope = 'tool' AND user_id = '' AND server_name = ${serverName} AND tool_name = ${toolName} AND computed_at_ms = ${run.computedAtMs}
        LIMIT 1`,
  );
  return found[0] ?? null;
}

export interface RecentFigures {
  calls: number | string;
  errors: number | string;
  bytes_out: number | string;
  bytes_in: number | string;
  active_hours: number | string;
  peak_calls_per_hour: number | string;
}

/** Which events a recent-figures query counts: one user's, or one server x tool's. */
export type RecentKey = { user: string } | { server: string; tool: string };

/**
 * Tool calls of the key within [fromMs, toMs), counted the way the baseline job counts them
 * (tool calls with a tool name, events read with FINAL, errors are `result_status = 'error'`,
 * result bytes of successful calls), plus the active hours and the busiest hour.
 */
export async function recentFigures(ch: ClickHouseClient, scope: TenantScope, key: RecentKey, fromMs: number, toMs: number): Promise<RecentFigures> {
  const keyCond: SqlFragment = 'user' in key ? sql`user_id = ${key.user}` : sql`server_name = ${key.server} AND tool_name = ${key.tool}`;
  // Inner aliases (hr, n, ...) differ from column names: 18.16 substitutes SELECT aliases into WHERE.
  const found = await readRows<RecentFigures>(
    ch,
    sql`SELECT toUInt64(sum(n)) AS calls, toUInt64(sum(errs)) AS errors, toUInt64(sum(b_out)) AS bytes_out, toUInt64(sum(b_in)) AS bytes_in,
          toUInt64(count()) AS active_hours, toUInt64(max(n)) AS peak_calls_per_hour
        FROM (
          SELECT intDiv(toUInt32(ts), 3600) AS hr, count() AS n, countIf(result_status = 'error') AS errs,
                 sum(args_size) AS b_out, sumIf(result_size, result_status = 'ok') AS b_in
          FROM ${fromTenant(scope, 'events', { final: true })} AND ${keyCond} AND kind = 'tool_call' AND tool_name != ''
            AND ts >= ${new Date(Math.floor(fromMs / 1000) * 1000)} AND ts <= ${new Date(toMs)} AND ts_ms >= ${fromMs} AND ts_ms < ${toMs}
          GROUP BY hr
        )`,
  );
  return found[0] ?? { calls: 0, errors: 0, bytes_out: 0, bytes_in: 0, active_hours: 0, peak_calls_per_hour: 0 };
}

/** The tenant's rows of the newest completed run as a snapshot (for dry runs of baseline rules). */
export async function tenantBaselines(ch: ClickHouseClient, scope: TenantScope): Promise<BaselineSnapshot | undefined> {
  const run = await newestRun(ch, scope);
  if (!run) return undefined;
  const found = await readRows<Record<string, unknown>>(
    ch,
    sql`SELECT * FROM ${fromTenant(scope, 'baselines', { final: true })} AND computed_at_ms = ${run.computedAtMs}`,
  );
  return buildSnapshot(found, { computedAt: run.computedAtMs, lookbackDays: run.lookbackDays });
}
