-- Notifier delivery log for the pipeline-health dashboard: one row per failed attempt that will be
-- retried (outcome 'retried') and one per final outcome of an alert at a destination ('delivered',
-- 'dead_lettered', 'disabled'). Written best-effort and batched by the notifier (notifier/delivery.log.ts):
-- it is a view of delivery health, not the record — the alerts DLQ and Kafka offsets are.
-- Daily partitions so retention can drop whole days (18.16 has no TTL).
CREATE TABLE IF NOT EXISTS {{database}}.deliveries
(
    ts DateTime,
    ts_ms UInt64,
    destination String,
    destination_type String,
    alert_id String,
    tenant_id String,
    outcome String,
    reason String,
    http_status UInt16,
    attempt UInt32,
    request_ms UInt32,
    latency_ms UInt64,
    instance String
)
ENGINE = MergeTree()
PARTITION BY toYYYYMMDD(ts)
ORDER BY (destination, ts);
