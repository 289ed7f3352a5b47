// The baseline of the ingest benchmark: ClickHouse's own Kafka table engine plus a materialized view
// into a table with the same DDL as `events`, on the same topic, written the way one has to on 18.16.
//
// 18.16 has no JSONAsString / JSONExtract, and its JSONEachRow cannot map nested objects into columns,
// so the Kafka table has one `raw String` column in TabSeparated format and the view flattens the JSON
// with the visitParam* functions. TabSeparated is exact here only because the bench events contain no
// backslash, tab or newline (bench/bench.events.ts), so TSV unescaping is the identity on them.
// visitParam* find the first `"name":` anywhere in their input, so every nested field is looked up
// inside its own object (`visitParamExtractRaw(raw, 'actor')` first), never in the whole event.
//
// What the baseline cannot do and ours does: validate (a bad message is a parse error or a wrong
// row, not a dead letter), know the partition and offset (18.16 has no `_partition`/`_offset`
// virtual columns, so those columns are 0), or take its own time with commits (it commits after
// each block it inserted).
import type { ClickHouseClient } from '../core/clickhouse.ts';
import { qualified, raw, sql } from '../core/sql.ts';

export interface KafkaEngineOptions {
  database: string;
  /** The Kafka engine table (the consumer) and the view that moves its rows into `target`. */
  kafkaTable: string;
  view: string;
  target: string;
  brokers: string[];
  topic: string;
  group: string;
  /** kafka_num_consumers: consumers (threads) of the one table; at most the partition count. */
  consumers: number;
  /** kafka_max_block_size: messages polled into one block, i.e. one INSERT into `target`. */
  maxBlockSize: number;
}

// The v2 columns (migrations/0006_events_v2.sql) stay at their defaults, as they do for the v1 bench
// events in ours; 18.16 inserts through a view only the columns its SELECT names, and refuses a block
// that lacks one ("Expected column hash_key_id"), so every column of `events` is named here.
// (`arrayFilter(x -> 0, [emptyArrayString()])` is 18.16's way to write an empty Array(Array(String)).)
//
// ts is `YYYY-MM-DDTHH:MM:SS.mmmZ` (Date#toISOString, as the bench writes it): the DateTime from
// parseDateTimeBestEffort, the milliseconds from characters 21..23.
// Kept as trusted SQL text written here (no values in it), so `raw` is right for it.
const FLATTEN = raw(`
WITH
    visitParamExtractString(raw, 'ts') AS _ts,
    visitParamExtractRaw(raw, 'mcp') AS _mcp,
    visitParamExtractRaw(raw, 'actor') AS _actor,
    visitParamExtractRaw(raw, 'server') AS _server,
    visitParamExtractRaw(raw, 'tool') AS _tool,
    visitParamExtractRaw(raw, 'arguments') AS _args,
    visitParamExtractRaw(raw, 'resource') AS _resource,
    visitParamExtractRaw(raw, 'result') AS _result,
    visitParamExtractRaw(raw, 'tools') AS _tools,
    visitParamExtractRaw(raw, 'trace') AS _trace,
    parseDateTimeBestEffort(_ts) AS _ts_sec
SELECT
    visitParamExtractString(raw, 'event_id') AS event_id,
    toUInt8(visitParamExtractUInt(raw, 'schema_version')) AS schema_version,
    _ts_sec AS ts,
    toUInt64(toUInt32(_ts_sec)) * 1000 + toUInt64(substring(_ts, 21, 3)) AS ts_ms,
    visitParamExtractString(raw, 'tenant_id') AS tenant_id,
    visitParamExtractString(raw, 'kind') AS kind,
    visitParamExtractString(_mcp, 'method') AS mcp_method,
    visitParamExtractString(_mcp, 'session_id') AS mcp_session_id,
    visitParamExtractString(_mcp, 'protocol_version') AS mcp_protocol_version,
    replaceAll(visitParamExtractRaw(_mcp, 'request_id'), '"', '') AS mcp_request_id,
    visitParamExtractString(_actor, 'user_id') AS user_id,
    visitParamExtractString(_actor, 'agent_id') AS agent_id,
    visitParamExtractString(_actor, 'client_name') AS client_name,
    visitParamExtractString(_actor, 'client_version') AS client_version,
    visitParamExtractString(_actor, 'source_address') AS source_address,
    visitParamExtractString(_server, 'name') AS server_name,
    visitParamExtractString(_server, 'version') AS server_version,
    visitParamExtractString(_server, 'transport') AS server_transport,
    visitParamExtractString(_server, 'fingerprint') AS server_fingerprint,
    visitParamExtractString(_tool, 'name') AS tool_name,
    visitParamExtractString(_tool, 'call_id') AS tool_call_id,
    '' AS tool_class,
    toUInt8(0) AS tool_class_inferred,
    visitParamExtractString(_args, 'preview') AS args_preview,
    visitParamExtractString(_args, 'sha256') AS args_sha256,
    toUInt32(visitParamExtractUInt(_args, 'size_bytes')) AS args_size,
    extractAll(visitParamExtractRaw(_resource, 'paths'), '"([^"]*)"') AS resource_paths,
    extractAll(visitParamExtractRaw(_resource, 'urls'), '"([^"]*)"') AS resource_urls,
    extractAll(visitParamExtractRaw(_resource, 'hosts'), '"([^"]*)"') AS resource_hosts,
    extractAll(visitParamExtractRaw(_resource, 'recipients'), '"([^"]*)"') AS resource_recipients,
    extractAll(visitParamExtractRaw(_resource, 'tables'), '"([^"]*)"') AS resource_tables,
    visitParamExtractString(_result, 'status') AS result_status,
    visitParamExtractString(_result, 'error_type') AS result_error_type,
    toUInt32(visitParamExtractUInt(_result, 'size_bytes')) AS result_size,
    visitParamExtractString(_result, 'sha256') AS result_sha256,
    visitParamExtractFloat(raw, 'duration_ms') AS duration_ms,
    extractAll(_tools, '"name":"([^"]*)"') AS listed_tool_names,
    extractAll(_tools, '"description":"([^"]*)"') AS listed_tool_descriptions,
    extractAll(_tools, '"description_sha256":"([^"]*)"') AS listed_tool_description_sha256,
    visitParamExtractString(_trace, 'trace_id') AS trace_id,
    visitParamExtractString(_trace, 'span_id') AS span_id,
    '' AS hash_key_id,
    '' AS args_hmac,
    emptyArrayString() AS args_keys,
    emptyArrayString() AS args_secrets,
    toUInt8(0) AS args_truncated,
    '' AS result_hmac,
    emptyArrayString() AS result_secrets,
    toUInt8(0) AS result_truncated,
    emptyArrayString() AS fp_args,
    emptyArrayString() AS fp_result,
    emptyArrayString() AS fp_destinations,
    '' AS episode_id,
    '' AS episode_basis,
    '' AS conversation_id,
    arrayFilter(x -> 0, [emptyArrayString()]) AS listed_tool_input_keys,`);

/** Creates the target (same DDL as `events`), then the Kafka table and the view; consuming starts with the view. */
export async function createKafkaEngine(ch: ClickHouseClient, o: KafkaEngineOptions): Promise<void> {
  const target = qualified(o.database, o.target);
  const kafka = qualified(o.database, o.kafkaTable);
  await ch.command({ query: sql`CREATE TABLE IF NOT EXISTS ${target} AS ${qualified(o.database, 'events')}`.text });
  await ch.command({
    query: sql`CREATE TABLE ${kafka} (raw String) ENGINE = Kafka SETTINGS
      kafka_broker_list = ${o.brokers.join(',')},
      kafka_topic_list = ${o.topic},
      kafka_group_name = ${o.group},
      kafka_format = 'TabSeparated',
      kafka_row_delimiter = ${'\n'},
      kafka_num_consumers = ${o.consumers},
      kafka_max_block_size = ${o.maxBlockSize}`.text,
  });
  // The Kafka engine reads only while a materialized view is attached; this starts it.
  await ch.command({
    query: sql`CREATE MATERIALIZED VIEW ${qualified(o.database, o.view)} TO ${target} AS ${FLATTEN}
    ${o.topic} AS kafka_topic,
    toUInt32(0) AS kafka_partition,
    toUInt64(0) AS kafka_offset,
    now() AS ingested_at
FROM ${kafka}`.text,
  });
}

/** Stops consuming: the view first (the engine stops streaming), then the Kafka table. */
export async function dropKafkaEngine(ch: ClickHouseClient, o: Pick<KafkaEngineOptions, 'database' | 'kafkaTable' | 'view'>): Promise<void> {
  await ch.command({ query: sql`DROP TABLE IF EXISTS ${qualified(o.database, o.view)}`.text });
  await ch.command({ query: sql`DROP TABLE IF EXISTS ${qualified(o.database, o.kafkaTable)}`.text });
}
