// Event queries: the search (newest first, keyset-paginated on (ts_ms, event_id)) and the lookup of
// an incident's evidence events. `events` is ordered by (tenant_id, user_id, ts, event_id), so the
// evidence lookup names the users and the time span to read only a few granules of 10M+ rows.
import type { ClickHouseClient } from '../../core/clickhouse.ts';
import { join, list, raw, sql, type SqlFragment } from '../../core/sql.ts';
import type { SortKey } from './cursor.ts';
import { readRows } from '../../core/clickhouse.rows.ts';
import { fromTenant, type TenantScope } from './tenant.scope.ts';

export interface EventFilter {
  user?: string;
  session?: string;
  episode?: string;
  tool?: string;
  class?: string;
  server?: string;
  status?: string;
  kind?: string;
  from: number;
  to: number;
  cursor: SortKey | null;
  limit: number;
}

export interface EventRowOut {
  event_id: string;
  schema_version: number;
  ts_ms: string | number;
  kind: string;
  mcp_method: string;
  mcp_session_id: string;
  user_id: string;
  agent_id: string;
  client_name: string;
  client_version: string;
  conversation_id: string;
  episode_id: string;
  episode_basis: string;
  server_name: string;
  server_transport: string;
  tool_name: string;
  tool_class: string;
  args_preview: string;
  args_keys: string[];
  args_secrets: string[];
  args_truncated: number;
  result_secrets: string[];
  result_truncated: number;
  resource_paths: string[];
  resource_urls: string[];
  resource_hosts: string[];
  resource_recipients: string[];
  resource_tables: string[];
  result_status: string;
  result_error_type: string;
  result_size: number;
  duration_ms: number;
}

const EVENT_COLUMNS = raw(
  'event_id, schema_version, ts_ms, kind, mcp_method, mcp_session_id, user_id, agent_id, client_name, client_version, conversation_id, episode_id, episode_basis, server_name, server_transport, tool_name, tool_class, args_preview, args_keys, args_secrets, args_truncated, result_secrets, result_truncated, resource_paths, resource_urls, resource_hosts, resource_recipients, resource_tables, result_status, result_error_type, result_size, duration_ms',
);

/** The `ts` (DateTime) bounds that contain a millisecond range, so partitions and the key prune. */
function timeRange(fromMs: number, toMs: number): SqlFragment {
  return sql`ts >= ${new Date(Math.floor(fromMs / 1000) * 1000)} AND ts <= ${new Date(toMs)} AND ts_ms >= ${fromMs} AND ts_ms <= ${toMs}`;
}

export function searchEventsQuery(scope: TenantScope, f: EventFilter): SqlFragment {
  const where: SqlFragment[] = [timeRange(f.from, f.to)];
  if (f.user !== undefined) where.push(sql`user_id = ${f.user}`);
  if (f.session !== undefined) where.push(sql`mcp_session_id = ${f.session}`);
  if (f.episode !== undefined) where.push(sql`episode_id = ${f.episode}`);
  if (f.tool !== undefined) where.push(sql`tool_name = ${f.tool}`);
  if (f.class !== undefined) where.push(sql`tool_class = ${f.class}`);
  if (f.server !== undefined) where.push(sql`server_name = ${f.server}`);
  if (f.status !== undefined) where.push(sql`result_status = ${f.status}`);
  if (f.kind !== undefined) where.push(sql`kind = ${f.kind}`);
  if (f.cursor) where.push(sql`(ts_ms < ${f.cursor[0]} OR (ts_ms = ${f.cursor[0]} AND event_id < ${f.cursor[1]}))`);
  return sql`SELECT ${EVENT_COLUMNS} FROM ${fromTenant(scope, 'events')} AND ${join(where, ' AND ')}
    ORDER BY ts_ms DESC, event_id DESC LIMIT 1 BY event_id LIMIT ${f.limit + 1}`;
}

export function searchEvents(ch: ClickHouseClient, scope: TenantScope, f: EventFilter): Promise<EventRowOut[]> {
  return readRows<EventRowOut>(ch, searchEventsQuery(scope, f));
}

/** The evidence events by id, of the given users within [fromMs, toMs], in event-time order. */
export function evidenceEvents(
  ch: ClickHouseClient,
  scope: TenantScope,
  ids: readonly string[],
  users: readonly string[],
  fromMs: number,
  toMs: number,
): Promise<EventRowOut[]> {
  if (ids.length === 0 || users.length === 0) return Promise.resolve([]);
  return readRows<EventRowOut>(
    ch,
    sql`SELECT ${EVENT_COLUMNS} FROM ${fromTenant(scope, 'events')} AND user_id IN (${list(users)}) AND ${timeRange(fromMs, toMs)}
        AND event_id IN (${list(ids)}) ORDER BY ts_ms, event_id LIMIT 1 BY event_id`,
  );
}
