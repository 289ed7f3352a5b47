// The signals around an incident: rule matches whose risk added up to (or led to) its alerts.
// Signals open no incident of their own, so they are found by user and time, scoped by tenant.
import type { ClickHouseClient } from '../../core/clickhouse.ts';
import { list, sql } from '../../core/sql.ts';
import { ALERT_COLUMNS, type AlertRowOut } from './incidents.queries.ts';
import { readRows } from '../../core/clickhouse.rows.ts';
import { fromTenant, type TenantScope } from './tenant.scope.ts';

/** How far before an incident's first alert its signals are looked for: two risk half-lives. */
export const SIGNALS_BEFORE_MS = 60 * 60_000;
/** Signals shown per incident at most. */
const MAX_SIGNALS = 200;

export function incidentSignals(ch: ClickHouseClient, scope: TenantScope, users: readonly string[], fromMs: number, toMs: number): Promise<AlertRowOut[]> {
  const from = fromMs - SIGNALS_BEFORE_MS;
  return readRows<AlertRowOut>(
    ch,
    sql`SELECT ${ALERT_COLUMNS} FROM ${fromTenant(scope, 'signals')} AND user_id IN (${list([...users])})
        AND ts >= ${new Date(Math.floor(from / 1000) * 1000)} AND ts_ms >= ${from} AND ts <= ${new Date(toMs)} AND ts_ms <= ${toMs}
        ORDER BY ts_ms, alert_id LIMIT 1 BY alert_id LIMIT ${MAX_SIGNALS}`,
  );
}
