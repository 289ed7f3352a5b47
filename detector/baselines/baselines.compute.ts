// The baseline job: aggregate `events` over the lookback in ClickHouse (one row per key x hour),
// turn each key's hourly samples into robust statistics in Node, and store one run of rows in
// `baselines`, recorded in `baseline_runs` once complete. See BASELINES.md for what each number
// means and the minimum-sample rules.
import type { ClickHouseClient } from '../../core/clickhouse.ts';
import { readRows, streamRows } from '../../core/clickhouse.rows.ts';
import type { Logger } from '../../core/logger.ts';
import { ident, qualified, sql } from '../../core/sql.ts';
import { emptyRow, metricColumns, type BaselineRow, type BaselineScope } from './baseline.row.ts';
import { hourlyQuery, perCallBytesQuery, scopeKeys, userSentValuesQuery, userSummaryQuery, type BaselineWindow } from './baselines.queries.ts';
import { hourOfWeekProfile, summarize } from './robust.stats.ts';

const HOUR_S = 3600;
const DAY_S = 86_400;
const WEEK_S = 7 * DAY_S;
/** Rows per insert: large enough for ClickHouse (about one insert a second is its comfort), small enough for memory. */
const INSERT_ROWS = 10_000;
/** Completed runs kept; older partitions are dropped. More than one, so a detector reading the previous run still finds it. */
export const KEEP_RUNS = 3;

export interface ComputeOptions {
  lookbackDays: number;
  /** The clock; tests pin it. */
  now?: number;
  log?: Logger;
  onProgress?: (p: { scope: BaselineScope; keys: number; hourRows: number }) => void;
}

export interface BaselineRunSummary {
  computedAtMs: number;
  lookbackDays: number;
  window: BaselineWindow;
  userKeys: number;
  toolKeys: number;
  userToolKeys: number;
  hourRows: number;
  durationMs: number;
  droppedRuns: number;
}

/** The lookback window: whole hours only, ending at the start of the current (incomplete) hour. */
export function baselineWindow(nowMs: number, lookbackDays: number): BaselineWindow {
  const toSec = Math.floor(nowMs / 1000 / HOUR_S) * HOUR_S;
  return { fromSec: toSec - lookbackDays * DAY_S, toSec };
}

interface HourRow {
  tenant_id: string;
  user_id?: string;
  server_name?: string;
  tool_name?: string;
  hour: number | string;
  calls: number | string;
  bytes_out: number | string;
  errors: number | string;
  resources: number | string;
}
interface PerCallRow {
  tenant_id: string;
  user_id?: string;
  server_name?: string;
  tool_name?: string;
  n: number | string;
  med: number | string;
  p95: number | string;
  mad: number | string;
}
interface UserSummaryRow {
  tenant_id: string;
  user_id: string;
  first_seen: number | string;
  last_seen: number | string;
  known_tools: string[];
  known_servers: string[];
  known_hosts: string[];
  known_destinations: string[];
  known_secret_paths: string[];
  /** From userSentValuesQuery, merged in by user. */
  known_sent_values?: string[];
}

const keyOf = (scope: BaselineScope, r: Partial<Record<'tenant_id' | 'user_id' | 'server_name' | 'tool_name', string>>): string =>
  scopeKeys[scope].map((k) => r[k] ?? '').join('\u0000');

export async function computeBaselines(ch: ClickHouseClient, database: string, opts: ComputeOptions): Promise<BaselineRunSummary> {
  const started = Date.now();
  const computedAtMs = opts.now ?? started;
  const w = baselineWindow(computedAtMs, opts.lookbackDays);
  const table = `${ident(database).text}.${ident('baselines').text}`;
  const stamp = { computed_at: Math.floor(computedAtMs / 1000), computed_at_ms: computedAtMs, lookback_days: opts.lookbackDays };
  const weeksSince = (firstSec: number) => Math.max(0, w.toSec - Math.max(firstSec, w.fromSec)) / WEEK_S;

  const summaries = new Map<string, UserSummaryRow>();
  for (const r of await readRows<UserSummaryRow>(ch, userSummaryQuery(database, w))) summaries.set(keyOf('user', r), r);
  for (const r of await readRows<{ tenant_id: string; user_id: string; known_sent_values: string[] }>(ch, userSentValuesQuery(database, w))) {
    const s = summaries.get(keyOf('user', r));
    if (s) s.known_sent_values = r.known_sent_values;
  }
  const perCall = { user: new Map<string, PerCallRow>(), tool: new Map<string, PerCallRow>() };
  for (const scope of ['user', 'tool'] as const) {
    for (const r of await readRows<PerCallRow>(ch, perCallBytesQuery(database, scope, w))) perCall[scope].set(keyOf(scope, r), r);
  }

  let buffer: BaselineRow[] = [];
  const flush = async () => {
    if (buffer.length === 0) return;
    const values = buffer;
    buffer = [];
    await ch.insert({ table, values, format: 'JSONEachRow' });
  };
  const emit = async (row: BaselineRow) => {
    buffer.push(row);
    if (buffer.length >= INSERT_ROWS) await flush();
  };

  const keys: Record<BaselineScope, number> = { user: 0, tool: 0, user_tool: 0 };
  let hourRows = 0;

  for (const scope of ['user', 'tool', 'user_tool'] as const) {
    let current: { key: string; first: HourRow; hours: number[]; calls: number[]; bytesOut: number[]; errorRate: number[]; resources: number[] } | null = null;
    const seen = new Set<string>();

    const finish = async () => {
      if (!current) return;
      const c = current;
      const f = c.first;
      const row = emptyRow({ tenant_id: f.tenant_id, scope, user_id: f.user_id ?? '', server_name: f.server_name ?? '', tool_name: f.tool_name ?? '' });
      Object.assign(row, stamp, metricColumns('calls_per_hour', summarize(c.calls)));
      row.calls = c.calls.reduce((a, b) => a + b, 0);
      row.first_seen = c.hours[0]!;
      row.last_seen = c.hours[c.hours.length - 1]! + HOUR_S - 1;
      row.weeks = weeksSince(row.first_seen);
      if (scope !== 'user_tool') {
        Object.assign(row, metricColumns('error_rate_per_hour', summarize(c.errorRate)));
        const pc = perCall[scope].get(c.key);
        if (pc) {
          Object.assign(row, metricColumns('bytes_in_per_call', { samples: Number(pc.n), median: Number(pc.med), mad: Number(pc.mad), p95: Number(pc.p95) }));
        }
      }
      if (scope === 'user') {
        Object.assign(row, metricColumns('bytes_out_per_hour', summarize(c.bytesOut)));
        Object.assign(row, metricColumns('distinct_resources_per_hour', summarize(c.resources)));
        row.hour_of_week = hourOfWeekProfile(c.hours);
        applySummary(row, summaries.get(c.key));
      }
      seen.add(c.key);
      keys[scope]++;
      await emit(row);
      current = null;
    };

    for await (const r of streamRows<HourRow>(ch, hourlyQuery(database, scope, w))) {
      const key = keyOf(scope, r);
      if (current && current.key !== key) await finish();
      current ??= { key, first: r, hours: [], calls: [], bytesOut: [], errorRate: [], resources: [] };
      const calls = Number(r.calls);
      current.hours.push(Number(r.hour));
      current.calls.push(calls);
      current.bytesOut.push(Number(r.bytes_out));
      current.errorRate.push(calls > 0 ? Number(r.errors) / calls : 0);
      current.resources.push(Number(r.resources));
      if (++hourRows % 50_000 === 0) opts.onProgress?.({ scope, keys: keys[scope], hourRows });
    }
    await finish();

    // Users seen only through other kinds (a tool_list, a session) still get their known servers.
    if (scope === 'user') {
      for (const [key, s] of summaries) {
        if (seen.has(key)) continue;
        const row = emptyRow({ tenant_id: s.tenant_id, scope, user_id: s.user_id, server_name: '', tool_name: '' });
        Object.assign(row, stamp);
        row.hour_of_week = new Array<number>(168).fill(0);
        applySummary(row, s);
        keys.user++;
        await emit(row);
      }
    }
    opts.onProgress?.({ scope, keys: keys[scope], hourRows });

    function applySummary(row: BaselineRow, s: UserSummaryRow | undefined): void {
      if (!s) return;
      row.first_seen = Number(s.first_seen);
      row.last_seen = Number(s.last_seen);
      row.weeks = weeksSince(row.first_seen);
      row.known_tools = s.known_tools;
      row.known_servers = s.known_servers;
      row.known_hosts = s.known_hosts;
      row.known_destinations = s.known_destinations;
      row.known_secret_paths = s.known_secret_paths;
      row.known_sent_values = s.known_sent_values ?? [];
    }
  }
  await flush();

  const durationMs = Date.now() - started;
  await ch.insert({
    table: `${ident(database).text}.${ident('baseline_runs').text}`,
    values: [
      {
        ...stamp,
        window_from: w.fromSec,
        window_to: w.toSec,
        user_keys: keys.user,
        tool_keys: keys.tool,
        user_tool_keys: keys.user_tool,
        hour_rows: hourRows,
        duration_ms: durationMs,
      },
    ],
    format: 'JSONEachRow',
  });
  const droppedRuns = await dropOldRuns(ch, database, opts.log);
  const summary: BaselineRunSummary = {
    computedAtMs,
    lookbackDays: opts.lookbackDays,
    window: w,
    userKeys: keys.user,
    toolKeys: keys.tool,
    userToolKeys: keys.user_tool,
    hourRows,
    durationMs,
    droppedRuns,
  };
  opts.log?.info({ ...summary }, 'baselines computed');
  return summary;
}

/** Drops the partitions of every run older than the newest KEEP_RUNS completed ones (18.16 has no TTL). */
export async function dropOldRuns(ch: ClickHouseClient, database: string, log?: Logger): Promise<number> {
  const kept = await readRows<{ computed_at_ms: string }>(
    ch,
    sql`SELECT DISTINCT computed_at_ms FROM ${qualified(database, 'baseline_runs')} ORDER BY computed_at_ms DESC LIMIT ${KEEP_RUNS}`,
  );
  const oldestKept = kept.length < KEEP_RUNS ? 0 : Number(kept[kept.length - 1]!.computed_at_ms);
  if (oldestKept === 0) return 0;
  // In cluster mode (migrations/cluster.ts) the parts live in `baselines_local` behind a
  // Distributed `baselines`; this drops them on the server it talks to.
  const parts = await readRows<{ table: string; partition: string }>(
    ch,
    sql`SELECT DISTINCT table, partition FROM system.parts
      WHERE database = ${database} AND table IN ('baselines', 'baselines_local') AND active`,
  );
  let dropped = 0;
  for (const { table, partition } of parts) {
    const runMs = Number(partition);
    if (!Number.isSafeInteger(runMs) || runMs >= oldestKept) continue;
    await ch.command({ query: sql`ALTER TABLE ${qualified(database, table === 'baselines_local' ? 'baselines_local' : 'baselines')} DROP PARTITION ${runMs}`.text });
    log?.debug({ partition: runMs }, 'dropped old baseline run');
    dropped++;
  }
  return dropped;
}
