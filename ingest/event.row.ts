// Flattens a validated event of either contract version into one row of the ClickHouse `events`
// table (migrations/0001_events.sql, 0006_events_v2.sql). Absent optional fields become the column's
// empty value so the table needs no Nullable columns, which are slower on every ClickHouse version:
// a v1 row leaves the v2 columns empty, a v2 row leaves args_sha256 and result_sha256 empty.
import { NO_CLASS, type Classification } from '../classify/classify.ts';
import type { AuditEvent } from '../schemas/event.ts';
import { isoToMs } from '../core/iso.time.ts';

export interface KafkaOrigin {
  topic: string;
  partition: number;
  offset: string;
}

export type EventRow = ReturnType<typeof toEventRow>;

/** `cls` is the event's classification (classify/classify.ts); ingest always passes it. */
export function toEventRow(e: AuditEvent, origin: KafkaOrigin, ingestedAtSec: number, cls: Classification = NO_CLASS) {
  const tsMs = isoToMs(e.ts);
  // Plain hashes exist only in v1, keyed hashes and the rest only in v2.
  const v1 = e.schema_version === 1 ? e : undefined;
  const v2 = e.schema_version === 2 ? e : undefined;
  return {
    event_id: e.event_id,
    schema_version: e.schema_version,
    ts: Math.floor(tsMs / 1000),
    ts_ms: tsMs,
    tenant_id: e.tenant_id,
    kind: e.kind,
    mcp_method: e.mcp.method,
    mcp_session_id: e.mcp.session_id ?? '',
    mcp_protocol_version: e.mcp.protocol_version ?? '',
    mcp_request_id: e.mcp.request_id === undefined ? '' : String(e.mcp.request_id),
    user_id: e.actor.user_id,
    agent_id: e.actor.agent_id ?? '',
    client_name: e.actor.client_name ?? '',
    client_version: e.actor.client_version ?? '',
    source_address: e.actor.source_address ?? '',
    server_name: e.server.name,
    server_version: e.server.version ?? '',
    server_transport: e.server.transport,
    server_fingerprint: e.server.fingerprint ?? '',
    tool_name: e.tool?.name ?? '',
    tool_call_id: e.tool?.call_id ?? '',
    tool_class: cls.class,
    tool_class_inferred: cls.inferred ? 1 : 0,
    args_preview: e.arguments?.preview ?? '',
    args_sha256: v1?.arguments?.sha256 ?? '',
    args_size: e.arguments?.size_bytes ?? 0,
    resource_paths: e.resource?.paths ?? [],
    resource_urls: e.resource?.urls ?? [],
    resource_hosts: e.resource?.hosts ?? [],
    resource_recipients: e.resource?.recipients ?? [],
    resource_tables: e.resource?.tables ?? [],
    result_status: e.result?.status ?? '',
    result_error_type: e.result?.error_type ?? '',
    result_size: e.result?.size_bytes ?? 0,
    result_sha256: v1?.result?.sha256 ?? '',
    duration_ms: e.duration_ms ?? 0,
    listed_tool_names: e.tools?.map((t) => t.name) ?? [],
    listed_tool_descriptions: e.tools?.map((t) => t.description ?? '') ?? [],
    listed_tool_description_sha256: e.tools?.map((t) => t.description_sha256) ?? [],
    trace_id: e.trace?.trace_id ?? '',
    span_id: e.trace?.span_id ?? '',
    hash_key_id: v2?.hash_key_id ?? '',
    args_hmac: v2?.arguments?.hmac_sha256 ?? '',
    args_keys: v2?.arguments?.keys ?? [],
    args_secrets: v2?.arguments?.secrets ?? [],
    args_truncated: v2?.arguments?.truncated ? 1 : 0,
    result_hmac: v2?.result?.hmac_sha256 ?? '',
    result_secrets: v2?.result?.secrets ?? [],
    result_truncated: v2?.result?.truncated ? 1 : 0,
    fp_args: v2?.fingerprints?.arguments ?? [],
    fp_result: v2?.fingerprints?.result ?? [],
    fp_destinations: v2?.fingerprints?.destinations ?? [],
    episode_id: v2?.episode?.id ?? '',
    episode_basis: v2?.episode?.basis ?? '',
    conversation_id: v2?.actor.conversation_id ?? '',
    listed_tool_input_keys: v2?.tools?.map((t) => t.input_keys ?? []) ?? [],
    kafka_topic: origin.topic,
    kafka_partition: origin.partition,
    kafka_offset: origin.offset,
    ingested_at: ingestedAtSec,
  };
}
