-- API keys of the incident API (api/auth/). A key is `mcpa_<key_id>_<secret>`; only the sha256 of
-- the secret is stored, never the secret. One row per change: creation writes version 1, revocation
-- writes the same key with revoked = 1 and a higher version, and ReplacingMergeTree(version) keeps
-- the latest (read with FINAL). Keyed by key_id alone because the API looks a key up by its id
-- before it knows the tenant; the tenant comes from the row.
CREATE TABLE IF NOT EXISTS {{database}}.api_keys
(
    key_id String,
    tenant_id String,
    name String,
    scopes Array(String),
    secret_sha256 String,
    created_at DateTime,
    revoked UInt8,
    revoked_at DateTime,
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY key_id;
