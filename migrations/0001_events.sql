-- Audit events, one row per event of the v1 contract, flattened.
--
-- ReplacingMergeTree collapses rows with the same sorting key, so an event delivered twice (ingest
-- restarted before it committed its Kafka offset) ends as one row; until the background merge has
-- run, queries read with FINAL or count with uniqExact(event_id) to see each event once.
-- Daily partitions let retention drop whole days (`mcp-audit retention`); 18.16 has no TTL.
-- The key starts with tenant and user because almost every query asks for one user's time range.
CREATE TABLE IF NOT EXISTS {{database}}.events
(
    event_id String,
    schema_version UInt8,
    ts DateTime,
    ts_ms UInt64,
    tenant_id String,
    kind String,
    mcp_method String,
    mcp_session_id String,
    mcp_protocol_version String,
    mcp_request_id String,
    user_id String,
    agent_id String,
    client_name String,
    client_version String,
    source_address String,
    server_name String,
    server_version String,
    server_transport String,
    server_fingerprint String,
    tool_name String,
    tool_call_id String,
    tool_class String,
    tool_class_inferred UInt8,
    args_preview String,
    args_sha256 String,
    args_size UInt32,
    resource_paths Array(String),
    resource_urls Array(String),
    resource_hosts Array(String),
    resource_recipients Array(String),
    resource_tables Array(String),
    result_status String,
    result_error_type String,
    result_size UInt32,
    result_sha256 String,
    duration_ms Float64,
    listed_tool_names Array(String),
    listed_tool_descriptions Array(String),
    listed_tool_description_sha256 Array(String),
    trace_id String,
    span_id String,
    kafka_topic String,
    kafka_partition UInt32,
    kafka_offset UInt64,
    ingested_at DateTime
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMMDD(ts)
ORDER BY (tenant_id, user_id, ts, event_id);
