-- Signals: rule matches that add risk to a story instead of alerting (detector/rules/risk.ts), as the
-- detector produced them to mcp.audit.signals. Same shape as `alerts` so the incident story can show
-- both; `incident_id` is the user's open incident when the signal was raised ('' if none). Keyed by
-- tenant and signal id (deterministic like an alert id): a replayed signal collapses into one row.
CREATE TABLE IF NOT EXISTS {{database}}.signals
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
ORDER BY (tenant_id, user_id, ts, alert_id);
