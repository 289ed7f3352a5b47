// A ClickHouse `events` row (as `SELECT * ... FORMAT JSONEachRow` returns it) back into an event of
// the contract version it was stored from (`schema_version`), for backtests and the detector's state
// rebuild. The inverse of ingest/event.row.ts's toEventRow, with the ambiguities that flattening leaves:
// - empty strings and empty arrays were absent optional fields, so they come back absent;
// - `duration_ms` 0 and `args_size` without a hash come back absent;
// - `mcp.request_id` is stored as text: digits-only come back as a number, anything else as text;
// - v2: a false `truncated` flag comes back absent, and `fingerprints` come back (with all three
//   lists) only when one of them has an entry.
// UInt64 columns arrive as strings in JSONEachRow (ts_ms), so numbers are parsed leniently. A row
// written before migration 0006 has no v2 columns at all; it reads as if they were empty.
import type { AuditEvent } from '../schemas/event.ts';
import type { AuditEventV1 } from '../schemas/event.v1.ts';
import type { AuditEventV2, EpisodeBasis } from '../schemas/event.v2.ts';

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
/** Sets `obj[key] = values` only for a non-empty list. */
function optList<T extends object, K extends keyof T>(obj: T, key: K, values: string[]): void {
  if (values.length > 0) obj[key] = values as T[K];
}

export function eventFromRow(row: Row): AuditEvent {
  return num(row, 'schema_version') === 2 ? v2FromRow(row) : v1FromRow(row);
}

/** What both versions store the same way: everything but arguments, result and tools. */
function commonFromRow(row: Row): Omit<AuditEventV1, 'schema_version' | 'arguments' | 'result' | 'tools'> {
  const tsMs = row.ts_ms !== undefined ? num(row, 'ts_ms') : Date.parse(`${str(row, 'ts').replace(' ', 'T')}Z`);
  const e: Omit<AuditEventV1, 'schema_version' | 'arguments' | 'result' | 'tools'> = {
    event_id: str(row, 'event_id'),
    ts: new Date(tsMs).toISOString(),
    tenant_id: str(row, 'tenant_id'),
    kind: str(row, 'kind') as AuditEventV1['kind'],
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
  const resource: NonNullable<AuditEventV1['resource']> = {};
  for (const [col, field] of [['resource_paths', 'paths'], ['resource_urls', 'urls'], ['resource_hosts', 'hosts'], ['resource_recipients', 'recipients'], ['resource_tables', 'tables']] as const) {
    const values = arr(row, col);
    if (values.length > 0) resource[field] = values;
  }
  if (Object.keys(resource).length > 0) e.resource = resource;
  const duration = num(row, 'duration_ms');
  if (duration > 0) e.duration_ms = duration;
  const traceId = str(row, 'trace_id');
  if (traceId) e.trace = { trace_id: traceId, span_id: str(row, 'span_id') };
  return e;
}

/** The result fields both versions share; `hash` is the version's own result hash column. */
function resultFromRow(row: Row, hash: string): { status: NonNullable<AuditEventV1['result']>['status']; error_type?: string; size_bytes?: number } | undefined {
  const status = str(row, 'result_status');
  if (!status) return undefined;
  const r: { status: NonNullable<AuditEventV1['result']>['status']; error_type?: string; size_bytes?: number } = { status: status as NonNullable<AuditEventV1['result']>['status'] };
  opt(r, 'error_type', str(row, 'result_error_type'));
  // A size of 0 is kept: an empty result is information, unlike an absent field.
  if (row.result_size !== undefined && (num(row, 'result_size') > 0 || hash)) r.size_bytes = num(row, 'result_size');
  return r;
}

/** Listed tools (kind tool_list) with the fields both versions share, index by index. */
function toolsFromRow(row: Row): NonNullable<AuditEventV1['tools']> | undefined {
  const names = arr(row, 'listed_tool_names');
  if (names.length === 0 && str(row, 'kind') !== 'tool_list') return undefined;
  const descriptions = arr(row, 'listed_tool_descriptions');
  const hashes = arr(row, 'listed_tool_description_sha256');
  return names.map((name, i) => {
    const t: NonNullable<AuditEventV1['tools']>[number] = { name, description_sha256: hashes[i] ?? '' };
    opt(t, 'description', descriptions[i] ?? '');
    return t;
  });
}

function v1FromRow(row: Row): AuditEventV1 {
  const e: AuditEventV1 = { schema_version: 1, ...commonFromRow(row) };
  const argsSha = str(row, 'args_sha256');
  if (argsSha) e.arguments = { preview: str(row, 'args_preview'), sha256: argsSha, size_bytes: num(row, 'args_size') };
  const resultSha = str(row, 'result_sha256');
  const result = resultFromRow(row, resultSha);
  if (result) {
    e.result = result;
    opt(e.result, 'sha256', resultSha);
  }
  const tools = toolsFromRow(row);
  if (tools) e.tools = tools;
  return e;
}

function v2FromRow(row: Row): AuditEventV2 {
  const e: AuditEventV2 = { schema_version: 2, ...commonFromRow(row) };
  opt(e.actor, 'conversation_id', str(row, 'conversation_id'));
  const argsHmac = str(row, 'args_hmac');
  if (argsHmac) {
    e.arguments = { preview: str(row, 'args_preview'), hmac_sha256: argsHmac, size_bytes: num(row, 'args_size') };
    optList(e.arguments, 'keys', arr(row, 'args_keys'));
    optList(e.arguments, 'secrets', arr(row, 'args_secrets'));
    if (num(row, 'args_truncated') === 1) e.arguments.truncated = true;
  }
  const resultHmac = str(row, 'result_hmac');
  const result = resultFromRow(row, resultHmac);
  if (result) {
    e.result = result;
    opt(e.result, 'hmac_sha256', resultHmac);
    optList(e.result, 'secrets', arr(row, 'result_secrets'));
    if (num(row, 'result_truncated') === 1) e.result.truncated = true;
  }
  const tools = toolsFromRow(row);
  if (tools) {
    const inputKeys = Array.isArray(row.listed_tool_input_keys) ? (row.listed_tool_input_keys as unknown[]) : [];
    e.tools = tools.map((t, i) => {
      const keys = Array.isArray(inputKeys[i]) ? (inputKeys[i] as unknown[]).map(String) : [];
      return keys.length > 0 ? { ...t, input_keys: keys } : t;
    });
  }
  opt(e, 'hash_key_id', str(row, 'hash_key_id'));
  const fingerprints = { arguments: arr(row, 'fp_args'), result: arr(row, 'fp_result'), destinations: arr(row, 'fp_destinations') };
  if (fingerprints.arguments.length + fingerprints.result.length + fingerprints.destinations.length > 0) e.fingerprints = fingerprints;
  const episodeId = str(row, 'episode_id');
  if (episodeId) e.episode = { id: episodeId, basis: str(row, 'episode_basis') as EpisodeBasis };
  return e;
}
