// A ClickHouse `events` row (as `SELECT * ... FORMAT JSONEachRow` returns it) back into an
// AuditEventV1-shaped event, for backtests and the detector's state rebuild. The inverse of
// ingest/event.row.ts's toEventRow, with the ambiguities that flattening leaves:
// - empty strings and empty arrays were absent optional fields, so they come back absent;
// - `duration_ms` 0 and `args_size` without a hash come back absent;
// - `mcp.request_id` is stored as text: digits-only come back as a number, anything else as text.
// UInt64 columns arrive as strings in JSONEachRow (ts_ms), so numbers are parsed leniently.
import type { AuditEventV1 } from '../schemas/event.v1.ts';

type Row = Record<string, unknown>;

const str = (row: Row, k: string): string => {
  const v = row[k];
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
};
const num = (row: Row, k: string): number => {
  const v = row[k];
  const n = typeof v === 'number' ? v : Number(v ?? 0);
  return Number.isFinite(n) ? n : 0;
};
const arr = (row: Row, k: string): string[] => {
  const v = row[k];
  return Array.isArray(v) ? v.map(String) : [];
};
/** Sets `obj[key] = value` only for non-empty values. */
function opt<T extends object, K extends keyof T>(obj: T, key: K, value: T[K] | '' | undefined): void {
  if (value !== '' && value !== undefined) obj[key] = value as T[K];
}

export function eventFromRow(row: Row): AuditEventV1 {
  const tsMs = row.ts_ms !== undefined ? num(row, 'ts_ms') : Date.parse(`${str(row, 'ts').replace(' ', 'T')}Z`);
  const kind = str(row, 'kind') as AuditEventV1['kind'];
  const e: AuditEventV1 = {
    schema_version: 1,
    event_id: str(row, 'event_id'),
    ts: new Date(tsMs).toISOString(),
    tenant_id: str(row, 'tenant_id'),
    kind,
    mcp: { method: str(row, 'mcp_method') },
    actor: { user_id: str(row, 'user_id') },
    server: { name: str(row, 'server_name'), transport: (str(row, 'server_transport') || 'other') as AuditEventV1['server']['transport'] },
  };
  opt(e.mcp, 'session_id', str(row, 'mcp_session_id'));
  opt(e.mcp, 'protocol_version', str(row, 'mcp_protocol_version'));
  const requestId = str(row, 'mcp_request_id');
  opt(e.mcp, 'request_id', /^-?\d{1,15}$/.test(requestId) ? Number(requestId) : requestId);
  opt(e.actor, 'agent_id', str(row, 'agent_id'));
  opt(e.actor, 'client_name', str(row, 'client_name'));
  opt(e.actor, 'client_version', str(row, 'client_version'));
  opt(e.actor, 'source_address', str(row, 'source_address'));
  opt(e.server, 'version', str(row, 'server_version'));
  opt(e.server, 'fingerprint', str(row, 'server_fingerprint'));
  const toolName = str(row, 'tool_name');
  if (toolName) {
    e.tool = { name: toolName };
    opt(e.tool, 'call_id', str(row, 'tool_call_id'));
  }
  const argsSha = str(row, 'args_sha256');
  if (argsSha) e.arguments = { preview: str(row, 'args_preview'), sha256: argsSha, size_bytes: num(row, 'args_size') };
  const resource: NonNullable<AuditEventV1['resource']> = {};
  for (const [col, field] of [['resource_paths', 'paths'], ['resource_urls', 'urls'], ['resource_hosts', 'hosts'], ['resource_recipients', 'recipients'], ['resource_tables', 'tables']] as const) {
    const values = arr(row, col);
    if (values.length > 0) resource[field] = values;
  }
  if (Object.keys(resource).length > 0) e.resource = resource;
  const status = str(row, 'result_status');
  if (status) {
    e.result = { status: status as NonNullable<AuditEventV1['result']>['status'] };
    opt(e.result, 'error_type', str(row, 'result_error_type'));
    // A size of 0 is kept: an empty result is information, unlike an absent field.
    if (row.result_size !== undefined && (num(row, 'result_size') > 0 || str(row, 'result_sha256'))) e.result.size_bytes = num(row, 'result_size');
    opt(e.result, 'sha256', str(row, 'result_sha256'));
  }
  const duration = num(row, 'duration_ms');
  if (duration > 0) e.duration_ms = duration;
  const names = arr(row, 'listed_tool_names');
  if (names.length > 0 || kind === 'tool_list') {
    const descriptions = arr(row, 'listed_tool_descriptions');
    const hashes = arr(row, 'listed_tool_description_sha256');
    e.tools = names.map((name, i) => {
      const t: NonNullable<AuditEventV1['tools']>[number] = { name, description_sha256: hashes[i] ?? '' };
      opt(t, 'description', descriptions[i] ?? '');
      return t;
    });
  }
  const traceId = str(row, 'trace_id');
  if (traceId) e.trace = { trace_id: traceId, span_id: str(row, 'span_id') };
  return e;
}
