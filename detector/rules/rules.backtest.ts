// Runs one rule over the events stored in ClickHouse for a time range and hands back what it would
// have raised, producing nothing: the core of `mcp-audit rules backtest` and of the API's
// POST /v1/rules/{id}/dry-run. The caller names the events it may read (`source`), so the API
// passes its tenant-scoped table and the CLI the whole table or one tenant.
import type { ClickHouseClient } from '../../core/clickhouse.ts';
import { readRows } from '../../core/clickhouse.rows.ts';
import { sql, type SqlFragment } from '../../core/sql.ts';
import { incidentId, type AlertV1 } from '../../schemas/alert.v1.ts';
import type { BaselineSnapshot } from '../baselines/baseline.types.ts';
import type { Catalogue } from '../../classify/catalogue.ts';
import { eventFromRow } from '../event.from-row.ts';
import { toAlert } from './alert.ts';
import { createEngine, type EngineStats, type RuleMatch } from './engine.ts';
import type { Rule } from './rule.schema.ts';

export interface BacktestProgress {
  /** Events read so far. */
  read: number;
  /** Matches raised so far. */
  raised: number;
  /** Event time (ms) of the last event read. */
  lastMs: number;
}

export interface BacktestOptions {
  ch: ClickHouseClient;
  /** The events to read, as `<db>.events FINAL WHERE <condition>`; the backtest appends `AND ...`. */
  source: SqlFragment;
  rule: Rule;
  catalogue: Catalogue;
  allowedLatenessMs: number;
  /** Without baselines, `baseline` and `first_seen` rules stay silent (cold start). */
  baselines?: BaselineSnapshot;
  /** Inclusive start of the range, epoch ms. */
  fromMs: number;
  /** Exclusive end of the range, epoch ms. */
  toMs: number;
  /** Rows read per query. */
  pageRows: number;
  /** Stop after this many events; the result then says `complete: false`. */
  maxEvents?: number;
  onMatch(match: RuleMatch): void;
  /** After each full page (more may follow). */
  onPage?(progress: BacktestProgress): void;
}

export interface BacktestResult extends BacktestProgress {
  /** False when `maxEvents` stopped the run before the end of the range. */
  complete: boolean;
  stats: EngineStats;
}

export async function backtestRule(o: BacktestOptions): Promise<BacktestResult> {
  const engine = createEngine({
    rules: [{ ...o.rule, enabled: true }],
    catalogue: o.catalogue,
    allowedLatenessMs: o.allowedLatenessMs,
    ...(o.baselines ? { baselines: o.baselines } : {}),
  });
  const max = o.maxEvents ?? Number.POSITIVE_INFINITY;
  let read = 0;
  let raised = 0;
  let complete = true;
  const report = (matches: RuleMatch[]) => {
    for (const m of matches) {
      raised++;
      o.onMatch(m);
    }
  };
  let afterMs = o.fromMs - 1;
  let afterId = '';
  // Keyset pagination on (ts_ms, event_id): stable under concurrent inserts, no OFFSET scans.
  for (;;) {
    const left = max - read;
    // One row more than may be processed tells whether the cap cut the range short.
    const want = Math.min(o.pageRows, left + 1);
    const rows = await readRows<Record<string, unknown>>(
      o.ch,
      sql`SELECT * FROM ${o.source}
        AND ts >= toDateTime(${Math.floor(Math.max(afterMs, o.fromMs) / 1000)}) AND ts <= toDateTime(${Math.floor(o.toMs / 1000)})
        AND ts_ms >= ${o.fromMs} AND ts_ms < ${o.toMs}
        AND (ts_ms > ${afterMs} OR (ts_ms = ${afterMs} AND event_id > ${afterId}))
        ORDER BY ts_ms, event_id LIMIT ${want}`,
    );
    const taken = rows.length > left ? rows.slice(0, left) : rows;
    for (const row of taken) report(engine.process(eventFromRow(row)));
    read += taken.length;
    const last = taken[taken.length - 1];
    if (last) {
      afterMs = Number(last.ts_ms);
      afterId = String(last.event_id);
    }
    if (rows.length > left) {
      complete = false;
      break;
    }
    if (rows.length < want) break;
    o.onPage?.({ read, raised, lastMs: afterMs });
  }
  // A complete range: absence steps still open are due. A cut one: only those due by its last event.
  report(engine.advanceWatermark(complete ? Number.MAX_SAFE_INTEGER : afterMs));
  return { read, raised, lastMs: afterMs, complete, stats: engine.stats() };
}

/** The alert a backtest match stands for; its incident id is the one a lone alert of its user gets. */
export function backtestAlert(m: RuleMatch, detectedAt = new Date()): AlertV1 {
  const last = m.evidence[m.evidence.length - 1]!;
  const alert = toAlert(m, { incidentId: '0'.repeat(64), detectedAt });
  alert.incident_id = incidentId(alert.tenant_id, `user:${last.actor.user_id}`, alert.alert_id);
  return alert;
}
