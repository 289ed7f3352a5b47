// Loads the newest completed baseline run from ClickHouse into an immutable in-memory snapshot
// with Map lookups, which the detector swaps in whenever the job has recomputed.
import type { ClickHouseClient } from '../../core/clickhouse.ts';
import { readRows, streamRows } from '../../core/clickhouse.rows.ts';
import { qualified, sql } from '../../core/sql.ts';
import { metricFrom, type BaselineRow } from './baseline.row.ts';
import { EMPTY_BASELINES, type BaselineSnapshot, type ToolBaseline, type UserBaseline, type UserToolBaseline } from './baseline.types.ts';

const SEP = '\u0000';

/** A snapshot plus its key counts, for logs and the CLI. */
export type LoadedSnapshot = BaselineSnapshot & { readonly sizes: { users: number; tools: number; userTools: number } };

/** Builds a snapshot from stored rows (as ClickHouse returns them: 64-bit numbers may be strings). */
export function buildSnapshot(rows: readonly Record<string, unknown>[], meta: { computedAt: number; lookbackDays: number }): LoadedSnapshot {
  const users = new Map<string, UserBaseline>();
  const tools = new Map<string, ToolBaseline>();
  const userTools = new Map<string, UserToolBaseline>();
  for (const r of rows as readonly (Record<string, unknown> & Partial<BaselineRow>)[]) {
    const tenant = String(r.tenant_id);
    if (r.scope === 'user') {
      const hourOfWeek = (r.hour_of_week ?? []).map(Number);
      users.set(tenant + SEP + r.user_id, {
        callsPerHour: metricFrom(r, 'calls_per_hour'),
        bytesOutPerHour: metricFrom(r, 'bytes_out_per_hour'),
        bytesInPerCall: metricFrom(r, 'bytes_in_per_call'),
        errorRatePerHour: metricFrom(r, 'error_rate_per_hour'),
        distinctResourcesPerHour: metricFrom(r, 'distinct_resources_per_hour'),
        hourOfWeek: hourOfWeek.length === 168 ? hourOfWeek : new Array<number>(168).fill(0),
        weeks: Number(r.weeks ?? 0),
        knownTools: new Set(r.known_tools ?? []),
        knownServers: new Set(r.known_servers ?? []),
        knownHosts: new Set(r.known_hosts ?? []),
        knownDestinations: new Set(r.known_destinations ?? []),
        knownSecretPaths: new Set(r.known_secret_paths ?? []),
        knownSentValues: new Set(r.known_sent_values ?? []),
      });
    } else if (r.scope === 'tool') {
      tools.set(tenant + SEP + r.server_name + SEP + r.tool_name, {
        callsPerHour: metricFrom(r, 'calls_per_hour'),
        resultBytesPerCall: metricFrom(r, 'bytes_in_per_call'),
        errorRatePerHour: metricFrom(r, 'error_rate_per_hour'),
      });
    } else if (r.scope === 'user_tool') {
      userTools.set(tenant + SEP + r.user_id + SEP + r.tool_name, { callsPerHour: metricFrom(r, 'calls_per_hour') });
    }
  }
  return Object.freeze({
    computedAt: meta.computedAt,
    lookbackDays: meta.lookbackDays,
    user: (tenantId: string, userId: string) => users.get(tenantId + SEP + userId),
    tool: (tenantId: string, serverName: string, toolName: string) => tools.get(tenantId + SEP + serverName + SEP + toolName),
    userTool: (tenantId: string, userId: string, toolName: string) => userTools.get(tenantId + SEP + userId + SEP + toolName),
    sizes: { users: users.size, tools: tools.size, userTools: userTools.size },
  });
}

export interface LatestRun {
  computedAtMs: number;
  lookbackDays: number;
}

/** The newest completed run, or undefined before the first one finished. */
export async function latestRun(ch: ClickHouseClient, database: string): Promise<LatestRun | undefined> {
  const rows = await readRows<{ computed_at_ms: string; lookback_days: number }>(
    ch,
    sql`SELECT computed_at_ms, lookback_days FROM ${qualified(database, 'baseline_runs')} ORDER BY computed_at_ms DESC LIMIT 1`,
  );
  const r = rows[0];
  return r ? { computedAtMs: Number(r.computed_at_ms), lookbackDays: Number(r.lookback_days) } : undefined;
}

/** The newest completed run as a snapshot; EMPTY_BASELINES (all rules silent) when there is none yet. */
export async function loadBaselineSnapshot(ch: ClickHouseClient, database: string): Promise<BaselineSnapshot> {
  const run = await latestRun(ch, database);
  if (!run) return EMPTY_BASELINES;
  const rows: Record<string, unknown>[] = [];
  for await (const row of streamRows<Record<string, unknown>>(ch, sql`SELECT * FROM ${qualified(database, 'baselines')} FINAL WHERE computed_at_ms = ${run.computedAtMs}`)) rows.push(row);
  return buildSnapshot(rows, { computedAt: run.computedAtMs, lookbackDays: run.lookbackDays });
}
