-- Alerts, as the detector produced them to mcp.audit.alerts (schemas/alert.v1.ts), one row each.
-- Keyed by tenant and alert_id: a replayed alert (same deterministic id) collapses into one row.
CREATE TABLE IF NOT EXISTS {{database}}.alerts
(
    alert_id String,
    incident_id String,
    tenant_id String,
    user_id String,
    session_id String,
    agent_id String,
    client_name String,
    rule_id String,
    rule_version UInt32,
    rule_title String,
    rule_kind String,
    severity String,
    severity_rank UInt8,
    risk_score UInt8,
    summary String,
    ts DateTime,
    ts_ms UInt64,
    detected_at DateTime,
    evidence_event_ids Array(String),
    evidence_json String,
    tags Array(String),
    kafka_topic String,
    kafka_partition UInt32,
    kafka_offset UInt64,
    ingested_at DateTime
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(ts)
ORDER BY (tenant_id, alert_id);

-- Incident status, one row per change. The row with the highest `version` wins (read with FINAL or
-- argMax): ingest writes an 'open' row with version 0 for every alert it stores, so an incident
-- exists as soon as its first alert does and a later 'open' never overrides a person's decision;
-- the API writes status changes with version = change time in milliseconds.
CREATE TABLE IF NOT EXISTS {{database}}.incidents
(
    tenant_id String,
    incident_id String,
    user_id String,
    session_id String,
    status String,
    note String,
    actor String,
    version UInt64,
    updated_at DateTime
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (tenant_id, incident_id);

-- Every status change of an incident, kept (the `incidents` table keeps only the latest).
CREATE TABLE IF NOT EXISTS {{database}}.incident_history
(
    tenant_id String,
    incident_id String,
    status String,
    note String,
    actor String,
    changed_at DateTime,
    changed_at_ms UInt64
)
ENGINE = MergeTree()
ORDER BY (tenant_id, incident_id, changed_at_ms);

-- What a pipeline of one ingest process did in a few seconds (ingest/ingest.stats.ts), for the
-- Grafana pipeline-health dashboard (which can only read ClickHouse). insert_ms is the period's
-- slowest insert; dead_letter_reasons/counts are parallel arrays.
CREATE TABLE IF NOT EXISTS {{database}}.ingest_stats
(
    ts DateTime,
    topic String,
    consumed UInt64,
    inserted UInt64,
    dead_lettered UInt64,
    dead_letter_reasons Array(String),
    dead_letter_counts Array(UInt64),
    insert_ms Float64,
    lag UInt64,
    instance String
)
ENGINE = MergeTree()
PARTITION BY toYYYYMMDD(ts)
ORDER BY (topic, ts);
