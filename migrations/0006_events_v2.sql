-- Columns of the v2 event contract (schemas/event.v2.ts) beside v1's, so both versions live in
-- one `events` table: v1 rows leave these empty (the column defaults), v2 rows leave args_sha256 and
-- result_sha256 empty. Only fixed-shape facts are stored (keyed hashes and fingerprints, names of
-- arguments, kinds of secrets), never a raw value.
--
-- One column per statement, each `ADD COLUMN IF NOT EXISTS`: a migration cut off half way is simply
-- run again. ClickHouse 18.16 lacks that clause, so migrate.ts checks system.columns itself on a
-- single server; the cluster form (cluster.ts) keeps the clause for the current ClickHouse it needs.
--
-- listed_tool_input_keys is Array(Array(String)): the input keys of listed tool i at index i, parallel
-- to listed_tool_names, like listed_tool_descriptions; no separator inside a string to escape.
ALTER TABLE {{database}}.events ADD COLUMN IF NOT EXISTS hash_key_id String;
ALTER TABLE {{database}}.events ADD COLUMN IF NOT EXISTS args_hmac String;
ALTER TABLE {{database}}.events ADD COLUMN IF NOT EXISTS args_keys Array(String);
ALTER TABLE {{database}}.events ADD COLUMN IF NOT EXISTS args_secrets Array(String);
ALTER TABLE {{database}}.events ADD COLUMN IF NOT EXISTS args_truncated UInt8;
ALTER TABLE {{database}}.events ADD COLUMN IF NOT EXISTS result_hmac String;
ALTER TABLE {{database}}.events ADD COLUMN IF NOT EXISTS result_secrets Array(String);
ALTER TABLE {{database}}.events ADD COLUMN IF NOT EXISTS result_truncated UInt8;
ALTER TABLE {{database}}.events ADD COLUMN IF NOT EXISTS fp_args Array(String);
ALTER TABLE {{database}}.events ADD COLUMN IF NOT EXISTS fp_result Array(String);
ALTER TABLE {{database}}.events ADD COLUMN IF NOT EXISTS fp_destinations Array(String);
ALTER TABLE {{database}}.events ADD COLUMN IF NOT EXISTS episode_id String;
ALTER TABLE {{database}}.events ADD COLUMN IF NOT EXISTS episode_basis String;
ALTER TABLE {{database}}.events ADD COLUMN IF NOT EXISTS conversation_id String;
ALTER TABLE {{database}}.events ADD COLUMN IF NOT EXISTS listed_tool_input_keys Array(Array(String));
