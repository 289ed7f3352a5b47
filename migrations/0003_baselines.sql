-- Baselines: what normal looks like per user, per tool (server x tool) and per user x tool,
-- recomputed from `events` by the baseline job (detector/baselines/baselines.compute.ts).
--
-- One row per (tenant, scope, key) and run, each run in its own partition (`computed_at_ms`): the
-- loader reads only the partition of the newest *completed* run (`baseline_runs`, written last),
-- so a run still inserting, or one that died half way, is never seen, and a key that fell out of
-- the lookback simply is not in the new run. The job drops the partitions of older runs (18.16 has
-- no TTL). ReplacingMergeTree + FINAL collapses rows of a retried insert within one run.
-- Metric columns come in fours: samples (active hours, or calls for *_per_call), median,
-- MAD (raw, unscaled) and p95. Columns a scope has no value for stay 0 / empty.
CREATE TABLE IF NOT EXISTS {{database}}.baselines
(
    tenant_id String,
    scope String,
    user_id String,
    server_name String,
    tool_name String,
    computed_at DateTime,
    computed_at_ms UInt64,
    lookback_days UInt16,
    first_seen DateTime,
    last_seen DateTime,
    weeks Float64,
    calls UInt64,
    calls_per_hour_samples UInt32,
    calls_per_hour_median Float64,
    calls_per_hour_mad Float64,
    calls_per_hour_p95 Float64,
    bytes_out_per_hour_samples UInt32,
    bytes_out_per_hour_median Float64,
    bytes_out_per_hour_mad Float64,
    bytes_out_per_hour_p95 Float64,
    bytes_in_per_call_samples UInt32,
    bytes_in_per_call_median Float64,
    bytes_in_per_call_mad Float64,
    bytes_in_per_call_p95 Float64,
    error_rate_per_hour_samples UInt32,
    error_rate_per_hour_median Float64,
    error_rate_per_hour_mad Float64,
    error_rate_per_hour_p95 Float64,
    distinct_resources_per_hour_samples UInt32,
    distinct_resources_per_hour_median Float64,
    distinct_resources_per_hour_mad Float64,
    distinct_resources_per_hour_p95 Float64,
    hour_of_week Array(UInt16),
    known_tools Array(String),
    known_servers Array(String),
    known_hosts Array(String)
)
ENGINE = ReplacingMergeTree()
PARTITION BY computed_at_ms
ORDER BY (tenant_id, scope, user_id, server_name, tool_name);

-- One row per completed baseline run, written after all of its rows: the loader trusts only these.
CREATE TABLE IF NOT EXISTS {{database}}.baseline_runs
(
    computed_at DateTime,
    computed_at_ms UInt64,
    lookback_days UInt16,
    window_from DateTime,
    window_to DateTime,
    user_keys UInt32,
    tool_keys UInt32,
    user_tool_keys UInt32,
    hour_rows UInt64,
    duration_ms UInt32
)
ENGINE = ReplacingMergeTree()
ORDER BY computed_at_ms;
