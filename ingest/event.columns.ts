// The columns of the ClickHouse `events` row (migrations/0001_events.sql, 0006_events_v2.sql) in insert
// order, each with where its value comes from and what kind of value it is: the one statement of the
// row. toEventRow (event.row.ts) builds the row from it, EVENT_COLUMNS (event.row.tsv.ts) is its
// names, and the transcoder's plan (event.transcode.plan.ts) reads each column's source from it.
// Adding a column is one line here (and a migration); eventRowTsv, written out by hand for speed,
// is checked against toEventRow by event.row.tsv.test.ts.
//
// Absent optional fields take the kind's empty value so the table needs no Nullable columns, which are
// slower on every ClickHouse version: a v1 row leaves the v2 columns empty, a v2 row leaves the v1 ones.

/**
 * What a column holds, and its value when the field is absent:
 *  - string: the text ('');
 *  - text_or_number: a string or a number, stored as its text ('');
 *  - number: a number (0);
 *  - flag: a boolean as 1 or 0 (0);
 *  - strings: a list of strings ([]);
 *  - string_lists: a list of lists of strings ([]);
 *  - iso_seconds / iso_millis: an ISO time (always present) as Unix seconds (DateTime) or milliseconds;
 *  - seconds: Unix seconds (DateTime);
 *  - uint64_text: a UInt64 held as its decimal text (a Kafka offset can pass 2^53).
 */
export interface ColumnValues {
  string: string;
  text_or_number: string;
  number: number;
  flag: number;
  strings: string[];
  string_lists: string[][];
  iso_seconds: number;
  iso_millis: number;
  seconds: number;
  uint64_text: string;
}
export type ColumnKind = keyof ColumnValues;

export interface EventColumn {
  name: string;
  kind: ColumnKind;
  /**
   * The path of the value in its source: `mcp.method`; `tools[].name` for a list of one field of
   * each element of the list `tools` (an absent field: the element kind's empty value).
   */
  from: string;
  /** Where the value comes from: the event (the default), its classification, or the Kafka message and ingest time. */
  source?: 'classification' | 'origin';
  /** Only events of this schema_version fill the column; others leave it empty. */
  only?: 1 | 2;
}

export const EVENT_ROW = [
  { name: 'event_id', kind: 'string', from: 'event_id' },
  { name: 'schema_version', kind: 'number', from: 'schema_version' },
  { name: 'ts', kind: 'iso_seconds', from: 'ts' },
  { name: 'ts_ms', kind: 'iso_millis', from: 'ts' },
  { name: 'tenant_id', kind: 'string', from: 'tenant_id' },
  { name: 'kind', kind: 'string', from: 'kind' },
  { name: 'mcp_method', kind: 'string', from: 'mcp.method' },
  { name: 'mcp_session_id', kind: 'string', from: 'mcp.session_id' },
  { name: 'mcp_protocol_version', kind: 'string', from: 'mcp.protocol_version' },
  { name: 'mcp_request_id', kind: 'text_or_number', from: 'mcp.request_id' },
  { name: 'user_id', kind: 'string', from: 'actor.user_id' },
  { name: 'agent_id', kind: 'string', from: 'actor.agent_id' },
  { name: 'client_name', kind: 'string', from: 'actor.client_name' },
  { name: 'client_version', kind: 'string', from: 'actor.client_version' },
  { name: 'source_address', kind: 'string', from: 'actor.source_address' },
  { name: 'server_name', kind: 'string', from: 'server.name' },
  { name: 'server_version', kind: 'string', from: 'server.version' },
  { name: 'server_transport', kind: 'string', from: 'server.transport' },
  { name: 'server_fingerprint', kind: 'string', from: 'server.fingerprint' },
  { name: 'tool_name', kind: 'string', from: 'tool.name' },
  { name: 'tool_call_id', kind: 'string', from: 'tool.call_id' },
  { name: 'tool_class', kind: 'string', from: 'class', source: 'classification' },
  { name: 'tool_class_inferred', kind: 'flag', from: 'inferred', source: 'classification' },
  { name: 'args_preview', kind: 'string', from: 'arguments.preview' },
  // Plain hashes exist only in v1, keyed hashes and the rest below only in v2.
  { name: 'args_sha256', kind: 'string', from: 'arguments.sha256', only: 1 },
  { name: 'args_size', kind: 'number', from: 'arguments.size_bytes' },
  { name: 'resource_paths', kind: 'strings', from: 'resource.paths' },
  { name: 'resource_urls', kind: 'strings', from: 'resource.urls' },
  { name: 'resource_hosts', kind: 'strings', from: 'resource.hosts' },
  { name: 'resource_recipients', kind: 'strings', from: 'resource.recipients' },
  { name: 'resource_tables', kind: 'strings', from: 'resource.tables' },
  { name: 'result_status', kind: 'string', from: 'result.status' },
  { name: 'result_error_type', kind: 'string', from: 'result.error_type' },
  { name: 'result_size', kind: 'number', from: 'result.size_bytes' },
  { name: 'result_sha256', kind: 'string', from: 'result.sha256', only: 1 },
  { name: 'duration_ms', kind: 'number', from: 'duration_ms' },
  { name: 'listed_tool_names', kind: 'strings', from: 'tools[].name' },
  { name: 'listed_tool_descriptions', kind: 'strings', from: 'tools[].description' },
  { name: 'listed_tool_description_sha256', kind: 'strings', from: 'tools[].description_sha256' },
  { name: 'trace_id', kind: 'string', from: 'trace.trace_id' },
  { name: 'span_id', kind: 'string', from: 'trace.span_id' },
  { name: 'hash_key_id', kind: 'string', from: 'hash_key_id', only: 2 },
  { name: 'args_hmac', kind: 'string', from: 'arguments.hmac_sha256', only: 2 },
  { name: 'args_keys', kind: 'strings', from: 'arguments.keys', only: 2 },
  { name: 'args_secrets', kind: 'strings', from: 'arguments.secrets', only: 2 },
  { name: 'args_truncated', kind: 'flag', from: 'arguments.truncated', only: 2 },
  { name: 'result_hmac', kind: 'string', from: 'result.hmac_sha256', only: 2 },
  { name: 'result_secrets', kind: 'strings', from: 'result.secrets', only: 2 },
  { name: 'result_truncated', kind: 'flag', from: 'result.truncated', only: 2 },
  { name: 'fp_args', kind: 'strings', from: 'fingerprints.arguments', only: 2 },
  { name: 'fp_result', kind: 'strings', from: 'fingerprints.result', only: 2 },
  { name: 'fp_destinations', kind: 'strings', from: 'fingerprints.destinations', only: 2 },
  { name: 'episode_id', kind: 'string', from: 'episode.id', only: 2 },
  { name: 'episode_basis', kind: 'string', from: 'episode.basis', only: 2 },
  { name: 'conversation_id', kind: 'string', from: 'actor.conversation_id', only: 2 },
  { name: 'listed_tool_input_keys', kind: 'string_lists', from: 'tools[].input_keys', only: 2 },
  { name: 'kafka_topic', kind: 'string', from: 'topic', source: 'origin' },
  { name: 'kafka_partition', kind: 'number', from: 'partition', source: 'origin' },
  { name: 'kafka_offset', kind: 'uint64_text', from: 'offset', source: 'origin' },
  { name: 'ingested_at', kind: 'seconds', from: 'ingested_at', source: 'origin' },
] as const satisfies readonly EventColumn[];

export type EventColumnName = (typeof EVENT_ROW)[number]['name'];

/** The row of one event: each column's value, typed by its kind. */
export type EventRow = { [C in (typeof EVENT_ROW)[number] as C['name']]: ColumnValues[C['kind']] };
