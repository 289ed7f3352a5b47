// Incident queries. An incident is the group of alerts sharing an incident_id; its status is the
// latest row of `incidents` (ReplacingMergeTree(version), read with FINAL), 'open' when none yet.
// Every function takes the TenantScope first and reads tables only through `fromTenant`.
import type { ClickHouseClient } from '../../core/clickhouse.ts';
import { join, list, raw, sql, type SqlFragment } from '../../core/sql.ts';
import { severityRank, type Severity } from '../../schemas/alert.v1.ts';
import type { SortKey } from './cursor.ts';
import { readRows } from '../../core/clickhouse.rows.ts';
import { fromTenant, tableOf, type TenantScope } from './tenant.scope.ts';

export const incidentStatuses = ['open', 'acknowledged', 'resolved', 'false_positive'] as const;
export type IncidentStatus = (typeof incidentStatuses)[number];

export interface IncidentFilter {
  status?: IncidentStatus[];
  severity?: Severity[];
  user?: string;
  rule?: string;
  from?: number;
  to?: number;
  text?: string;
  cursor: SortKey | null;
  limit: number;
}

export interface IncidentSummaryRow {
  incident_id: string;
  user_id: string;
  session_id: string;
  first_ms: string | number;
  last_ms: string | number;
  max_rank: number;
  alert_count: string | number;
  rules: string[];
  status: string;
}

/** Lists incidents, newest last alert first, keyset-paginated on (last alert time, incident id). */
export function listIncidentsQuery(scope: TenantScope, f: IncidentFilter): SqlFragment {
  const where: SqlFragment[] = [];
  if (f.user !== undefined) where.push(sql`user_id = ${f.user}`);
  // Rule and text pick incidents with at least one matching alert, but the summary covers all of its alerts.
  if (f.rule !== undefined) where.push(sql`incident_id IN (SELECT incident_id FROM ${fromTenant(scope, 'alerts')} AND rule_id = ${f.rule})`);
  if (f.text !== undefined) {
    const t = f.text;
    where.push(sql`incident_id IN (SELECT incident_id FROM ${fromTenant(scope, 'alerts')} AND (positionCaseInsensitiveUTF8(summary, ${t}) > 0 OR positionCaseInsensitiveUTF8(rule_title, ${t}) > 0 OR positionCaseInsensitiveUTF8(rule_id, ${t}) > 0 OR positionCaseInsensitiveUTF8(user_id, ${t}) > 0))`);
  }
  const having: SqlFragment[] = [];
  if (f.from !== undefined) having.push(sql`last_ms >= ${f.from}`);
  if (f.to !== undefined) having.push(sql`first_ms <= ${f.to}`);
  if (f.severity?.length) having.push(sql`max_rank IN (${list(f.severity.map((s) => severityRank[s]))})`);
  if (f.cursor) having.push(sql`(last_ms < ${f.cursor[0]} OR (last_ms = ${f.cursor[0]} AND incident_id < ${f.cursor[1]}))`);
  const outer: SqlFragment[] = [];
  // Inner aliases (inc_user, ...) differ from column names: 18.16 substitutes SELECT aliases into WHERE.
  // Both sides of the join are named: current ClickHouse refuses a joined subquery without an alias (code 206).
  if (f.status?.length) outer.push(sql`if(st = '', 'open', st) IN (${list(f.status)})`);
  return sql`
    SELECT incident_id, inc_user AS user_id, inc_session AS session_id, first_ms, last_ms, max_rank, alert_count, rules, if(st = '', 'open', st) AS status
    FROM (
      SELECT incident_id, any(user_id) AS inc_user, anyLast(session_id) AS inc_session, min(ts_ms) AS first_ms, max(ts_ms) AS last_ms,
             max(severity_rank) AS max_rank, uniqExact(alert_id) AS alert_count, groupUniqArray(rule_id) AS rules
      FROM ${fromTenant(scope, 'alerts')}${where.length ? sql` AND ${join(where, ' AND ')}` : raw('')}
      GROUP BY incident_id
      ${having.length ? sql`HAVING ${join(having, ' AND ')}` : raw('')}
    ) AS inc_summary
    ANY LEFT JOIN (SELECT incident_id, status AS st FROM ${fromTenant(scope, 'incidents', { final: true })}) AS inc_state USING incident_id
    ${outer.length ? sql`WHERE ${join(outer, ' AND ')}` : raw('')}
    ORDER BY last_ms DESC, incident_id DESC
    LIMIT ${f.limit + 1}`;
}

export function listIncidents(ch: ClickHouseClient, scope: TenantScope, f: IncidentFilter): Promise<IncidentSummaryRow[]> {
  return readRows<IncidentSummaryRow>(ch, listIncidentsQuery(scope, f));
}

export interface AlertRowOut {
  alert_id: string;
  incident_id: string;
  user_id: string;
  session_id: string;
  agent_id: string;
  client_name: string;
  rule_id: string;
  rule_version: number;
  rule_title: string;
  rule_kind: string;
  severity: string;
  risk_score: number;
  summary: string;
  ts_ms: string | number;
  detected_at: string | number;
  evidence_event_ids: string[];
  evidence_json: string;
  tags: string[];
}

export const ALERT_COLUMNS = raw(
  'alert_id, incident_id, user_id, session_id, agent_id, client_name, rule_id, rule_version, rule_title, rule_kind, severity, risk_score, summary, ts_ms, toUInt32(detected_at) AS detected_at, evidence_event_ids, evidence_json, tags',
);

/** The alerts of one incident, in time order (each alert once even before merges collapse replays). */
export function incidentAlerts(ch: ClickHouseClient, scope: TenantScope, incidentId: string): Promise<AlertRowOut[]> {
  return readRows<AlertRowOut>(
    ch,
    sql`SELECT ${ALERT_COLUMNS} FROM ${fromTenant(scope, 'alerts')} AND incident_id = ${incidentId}
        ORDER BY ts_ms, alert_id LIMIT 1 BY alert_id LIMIT 1000`,
  );
}

export interface IncidentStateRow {
  incident_id: string;
  user_id: string;
  session_id: string;
  status: string;
  note: string;
  actor: string;
  version: string | number;
}

export async function incidentState(ch: ClickHouseClient, scope: TenantScope, incidentId: string): Promise<IncidentStateRow | null> {
  const found = await readRows<IncidentStateRow>(
    ch,
    sql`SELECT incident_id, user_id, session_id, status, note, actor, version FROM ${fromTenant(scope, 'incidents', { final: true })} AND incident_id = ${incidentId} LIMIT 1`,
  );
  return found[0] ?? null;
}

export interface HistoryRow {
  status: string;
  note: string;
  actor: string;
  changed_at_ms: string | number;
}

export function incidentHistory(ch: ClickHouseClient, scope: TenantScope, incidentId: string): Promise<HistoryRow[]> {
  return readRows<HistoryRow>(
    ch,
    sql`SELECT status, note, actor, changed_at_ms FROM ${fromTenant(scope, 'incident_history')} AND incident_id = ${incidentId} ORDER BY changed_at_ms LIMIT 1000`,
  );
}

/** Writes a status change: the history row, then the new `incidents` row (version = change time ms). */
export async function changeIncidentStatus(
  ch: ClickHouseClient,
  scope: TenantScope,
  change: { incidentId: string; userId: string; sessionId: string; status: IncidentStatus; note: string; actor: string; atMs: number },
): Promise<void> {
  const atSec = Math.floor(change.atMs / 1000);
  await ch.insert({
    table: tableOf(scope, 'incident_history'),
    values: [{ tenant_id: scope.tenantId, incident_id: change.incidentId, status: change.status, note: change.note, actor: change.actor, changed_at: atSec, changed_at_ms: change.atMs }],
    format: 'JSONEachRow',
  });
  await ch.insert({
    table: tableOf(scope, 'incidents'),
    values: [{ tenant_id: scope.tenantId, incident_id: change.incidentId, user_id: change.userId, session_id: change.sessionId, status: change.status, note: change.note, actor: change.actor, version: change.atMs, updated_at: atSec }],
    format: 'JSONEachRow',
  });
}
