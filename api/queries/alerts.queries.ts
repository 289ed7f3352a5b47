// Alert list queries, newest first, keyset-paginated on (ts_ms, alert_id). Scoped by construction.
import type { ClickHouseClient } from '../../core/clickhouse.ts';
import { join, list, raw, sql, type SqlFragment } from '../../core/sql.ts';
import type { Severity } from '../../schemas/alert.v1.ts';
import type { SortKey } from './cursor.ts';
import { ALERT_COLUMNS, type AlertRowOut } from './incidents.queries.ts';
import { readRows } from '../../core/clickhouse.rows.ts';
import { fromTenant, type TenantScope } from './tenant.scope.ts';

export interface AlertFilter {
  severity?: Severity[];
  user?: string;
  rule?: string;
  incident?: string;
  from?: number;
  to?: number;
  cursor: SortKey | null;
  limit: number;
}

export function listAlertsQuery(scope: TenantScope, f: AlertFilter): SqlFragment {
  const where: SqlFragment[] = [];
  if (f.severity?.length) where.push(sql`severity IN (${list(f.severity)})`);
  if (f.user !== undefined) where.push(sql`user_id = ${f.user}`);
  if (f.rule !== undefined) where.push(sql`rule_id = ${f.rule}`);
  if (f.incident !== undefined) where.push(sql`incident_id = ${f.incident}`);
  if (f.from !== undefined) where.push(sql`ts >= ${new Date(Math.floor(f.from / 1000) * 1000)} AND ts_ms >= ${f.from}`);
  if (f.to !== undefined) where.push(sql`ts <= ${new Date(f.to)} AND ts_ms <= ${f.to}`);
  if (f.cursor) where.push(sql`(ts_ms < ${f.cursor[0]} OR (ts_ms = ${f.cursor[0]} AND alert_id < ${f.cursor[1]}))`);
  return sql`SELECT ${ALERT_COLUMNS} FROM ${fromTenant(scope, 'alerts')}${where.length ? sql` AND ${join(where, ' AND ')}` : raw('')}
    ORDER BY ts_ms DESC, alert_id DESC LIMIT 1 BY alert_id LIMIT ${f.limit + 1}`;
}

export function listAlerts(ch: ClickHouseClient, scope: TenantScope, f: AlertFilter): Promise<AlertRowOut[]> {
  return readRows<AlertRowOut>(ch, listAlertsQuery(scope, f));
}
