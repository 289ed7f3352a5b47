// The arithmetic of the baseline job, without ClickHouse: the aggregate rows the queries return
// (one per key x active hour, one per key for per-call sizes and known sets) folded into one
// `baselines` row per key. baselines.compute.ts feeds it from ClickHouse and writes what it yields;
// the unit tests feed it arrays. See BASELINES.md for what each number means.
import { emptyRow, metricColumns, type BaselineRow, type BaselineScope } from './baseline.row.ts';
import { scopeKeys, type BaselineWindow } from './baselines.queries.ts';
import { hourOfWeekProfile, summarize } from './robust.stats.ts';

const HOUR_S = 3600;
const DAY_S = 86_400;
const WEEK_S = 7 * DAY_S;

// What the queries of baselines.queries.ts return: UInt64 columns arrive as strings, so every
// number may be one.

/** hourlyQuery: one key x active hour. */
export interface HourRow {
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
/** perCallBytesQuery: result bytes per successful call of one key. */
export interface PerCallRow {
  tenant_id: string;
  user_id?: string;
  server_name?: string;
  tool_name?: string;
  n: number | string;
  med: number | string;
  p95: number | string;
  mad: number | string;
}
/** userSummaryQuery: first and last event and the known sets of one user. */
export interface UserSummaryRow {
  tenant_id: string;
  user_id: string;
  first_seen: number | string;
  last_seen: number | string;
  known_tools: string[];
  known_servers: string[];
  known_hosts: string[];
  known_destinations: string[];
  known_secret_paths: string[];
}
/** userSentValuesQuery: the values one user sends routinely. */
export interface SentValuesRow {
  tenant_id: string;
  user_id: string;
  known_sent_values: string[];
}

/** The lookback window: whole hours only, ending at the start of the current (incomplete) hour. */
export function baselineWindow(nowMs: number, lookbackDays: number): BaselineWindow {
  const toSec = Math.floor(nowMs / 1000 / HOUR_S) * HOUR_S;
  return { fromSec: toSec - lookbackDays * DAY_S, toSec };
}

/** The columns every row of one run carries. */
export interface RunStamp {
  computed_at: number;
  computed_at_ms: number;
  lookback_days: number;
}

export function runStamp(computedAtMs: number, lookbackDays: number): RunStamp {
  return { computed_at: Math.floor(computedAtMs / 1000), computed_at_ms: computedAtMs, lookback_days: lookbackDays };
}

/** What every scope's fold looks up: the run, and the per-key rows read before the hourly stream. */
export interface FoldContext {
  window: BaselineWindow;
  stamp: RunStamp;
  summaries: ReadonlyMap<string, UserSummaryRow>;
  sentValues: ReadonlyMap<string, SentValuesRow>;
  perCall: Readonly<Record<'user' | 'tool', ReadonlyMap<string, PerCallRow>>>;
}

export function foldContext(
  window: BaselineWindow,
  stamp: RunStamp,
  perUser: { summaries: Iterable<UserSummaryRow>; sentValues: Iterable<SentValuesRow> },
  perCall: Record<'user' | 'tool', Iterable<PerCallRow>>,
): FoldContext {
  const byKey = <R extends PerCallRow | UserSummaryRow | SentValuesRow>(scope: BaselineScope, rows: Iterable<R>) => new Map([...rows].map((r) => [keyOf(scope, r), r]));
  return {
    window,
    stamp,
    summaries: byKey('user', perUser.summaries),
    sentValues: byKey('user', perUser.sentValues),
    perCall: { user: byKey('user', perCall.user), tool: byKey('tool', perCall.tool) },
  };
}

const keyOf = (scope: BaselineScope, r: Partial<Record<'tenant_id' | 'user_id' | 'server_name' | 'tool_name', string>>): string =>
  scopeKeys[scope].map((k) => r[k] ?? '').join('\u0000');

/** One key's hourly samples, gathered while its rows stream past. */
interface KeyHours {
  key: string;
  first: HourRow;
  hours: number[];
  calls: number[];
  bytesOut: number[];
  errorRate: number[];
  resources: number[];
}

/**
 * Folds one scope's hour rows, ordered by key then hour (as hourlyQuery returns them), into one
 * baseline row per key, yielded as soon as the key's last hour has passed. For scope `user` it then
 * yields the users seen only through other kinds (a tool_list, a session), who still have known
 * servers. Asynchronous only so that it can consume a stream; it does no I/O of its own.
 */
export async function* foldScope(ctx: FoldContext, scope: BaselineScope, hourRows: AsyncIterable<HourRow> | Iterable<HourRow>): AsyncGenerator<BaselineRow> {
  let current: KeyHours | null = null;
  const seen = new Set<string>();
  for await (const r of hourRows) {
    const key = keyOf(scope, r);
    if (current && current.key !== key) {
      seen.add(current.key);
      yield keyRow(ctx, scope, current);
      current = null;
    }
    current ??= { key, first: r, hours: [], calls: [], bytesOut: [], errorRate: [], resources: [] };
    const calls = Number(r.calls);
    current.hours.push(Number(r.hour));
    current.calls.push(calls);
    current.bytesOut.push(Number(r.bytes_out));
    current.errorRate.push(calls > 0 ? Number(r.errors) / calls : 0);
    current.resources.push(Number(r.resources));
  }
  if (current) {
    seen.add(current.key);
    yield keyRow(ctx, scope, current);
  }
  if (scope !== 'user') return;
  for (const [key, s] of ctx.summaries) {
    if (seen.has(key)) continue;
    const row = emptyRow({ tenant_id: s.tenant_id, scope, user_id: s.user_id, server_name: '', tool_name: '' });
    Object.assign(row, ctx.stamp);
    row.hour_of_week = new Array<number>(168).fill(0);
    applySummary(ctx, row, s, key);
    yield row;
  }
}

/** The baseline row of one key with hourly activity. */
function keyRow(ctx: FoldContext, scope: BaselineScope, c: KeyHours): BaselineRow {
  const f = c.first;
  const row = emptyRow({ tenant_id: f.tenant_id, scope, user_id: f.user_id ?? '', server_name: f.server_name ?? '', tool_name: f.tool_name ?? '' });
  Object.assign(row, ctx.stamp, metricColumns('calls_per_hour', summarize(c.calls)));
  row.calls = c.calls.reduce((a, b) => a + b, 0);
  row.first_seen = c.hours[0]!;
  row.last_seen = c.hours[c.hours.length - 1]! + HOUR_S - 1;
  row.weeks = weeksSince(ctx.window, row.first_seen);
  if (scope !== 'user_tool') {
    Object.assign(row, metricColumns('error_rate_per_hour', summarize(c.errorRate)));
    const pc = ctx.perCall[scope].get(c.key);
    if (pc) {
      Object.assign(row, metricColumns('bytes_in_per_call', { samples: Number(pc.n), median: Number(pc.med), mad: Number(pc.mad), p95: Number(pc.p95) }));
    }
  }
  if (scope === 'user') {
    Object.assign(row, metricColumns('bytes_out_per_hour', summarize(c.bytesOut)));
    Object.assign(row, metricColumns('distinct_resources_per_hour', summarize(c.resources)));
    row.hour_of_week = hourOfWeekProfile(c.hours);
    applySummary(ctx, row, ctx.summaries.get(c.key), c.key);
  }
  return row;
}

/** A user's whole-window facts: first and last event (any kind), the known sets and the routinely sent values. */
function applySummary(ctx: FoldContext, row: BaselineRow, s: UserSummaryRow | undefined, key: string): void {
  if (!s) return;
  row.first_seen = Number(s.first_seen);
  row.last_seen = Number(s.last_seen);
  row.weeks = weeksSince(ctx.window, row.first_seen);
  row.known_tools = s.known_tools;
  row.known_servers = s.known_servers;
  row.known_hosts = s.known_hosts;
  row.known_destinations = s.known_destinations;
  row.known_secret_paths = s.known_secret_paths;
  row.known_sent_values = ctx.sentValues.get(key)?.known_sent_values ?? [];
}

/** Weeks of history a key has: from its first event (or the window's start) to the window's end. */
function weeksSince(w: BaselineWindow, firstSec: number): number {
  return Math.max(0, w.toSec - Math.max(firstSec, w.fromSec)) / WEEK_S;
}
