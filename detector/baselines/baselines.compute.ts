// The baseline job's I/O: read the aggregates of `events` over the lookback from ClickHouse (one
// row per key x hour, streamed; one row per key for per-call sizes and known sets), feed them to
// the fold (baselines.fold.ts, where the statistics are made), store what it yields in `baselines`
// in batches, and record the run in `baseline_runs` once complete. See BASELINES.md for what each
// number means and the minimum-sample rules.
import type { ClickHouseClient } from '../../core/clickhouse.ts';
import { readRows, streamRows } from '../../core/clickhouse.rows.ts';
import type { Logger } from '../../core/logger.ts';
import { qualified, sql } from '../../core/sql.ts';
import { baselineScopes, type BaselineRow, type BaselineScope } from './baseline.row.ts';
import { baselineWindow, foldContext, foldScope, runStamp, type HourRow, type PerCallRow, type SentValuesRow, type UserSummaryRow } from './baselines.fold.ts';
import { hourlyQuery, perCallBytesQuery, userSentValuesQuery, userSummaryQuery, type BaselineWindow } from './baselines.queries.ts';

/** Rows per insert: large enough for ClickHouse (about one insert a second is its comfort), small enough for memory. */
const INSERT_ROWS = 10_000;
/** Completed runs kept; older partitions are dropped. More than one, so a detector reading the previous run still finds it. */
export const KEEP_RUNS = 3;
/** Hour rows between two progress reports. */
const PROGRESS_EVERY = 50_000;

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

export async function computeBaselines(ch: ClickHouseClient, database: string, opts: ComputeOptions): Promise<BaselineRunSummary> {
  const started = Date.now();
  const computedAtMs = opts.now ?? started;
  const w = baselineWindow(computedAtMs, opts.lookbackDays);
  const stamp = runStamp(computedAtMs, opts.lookbackDays);
  const perUser = {
    summaries: await readRows<UserSummaryRow>(ch, userSummaryQuery(database, w)),
    sentValues: await readRows<SentValuesRow>(ch, userSentValuesQuery(database, w)),
  };
  const ctx = foldContext(w, stamp, perUser, {
    user: await readRows<PerCallRow>(ch, perCallBytesQuery(database, 'user', w)),
    tool: await readRows<PerCallRow>(ch, perCallBytesQuery(database, 'tool', w)),
  });

  const writer = batchWriter(ch, qualified(database, 'baselines').text);
  const keys: Record<BaselineScope, number> = { user: 0, tool: 0, user_tool: 0 };
  let hourRows = 0;
  for (const scope of baselineScopes) {
    const progress = () => opts.onProgress?.({ scope, keys: keys[scope], hourRows });
    async function* counted(rows: AsyncIterable<HourRow>): AsyncGenerator<HourRow> {
      for await (const r of rows) {
        if (++hourRows % PROGRESS_EVERY === 0) progress();
        yield r;
      }
    }
    for await (const row of foldScope(ctx, scope, counted(streamRows<HourRow>(ch, hourlyQuery(database, scope, w))))) {
      keys[scope]++;
      await writer.add(row);
    }
    progress();
  }
  await writer.flush();

  const durationMs = Date.now() - started;
  await ch.insert({
    table: qualified(database, 'baseline_runs').text,
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

/** Inserts rows into `table` INSERT_ROWS at a time. */
function batchWriter(ch: ClickHouseClient, table: string): { add(row: BaselineRow): Promise<void>; flush(): Promise<void> } {
  let buffer: BaselineRow[] = [];
  const flush = async () => {
    if (buffer.length === 0) return;
    const values = buffer;
    buffer = [];
    await ch.insert({ table, values, format: 'JSONEachRow' });
  };
  return {
    async add(row) {
      buffer.push(row);
      if (buffer.length >= INSERT_ROWS) await flush();
    },
    flush,
  };
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
