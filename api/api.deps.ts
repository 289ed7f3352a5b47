// What the API is built from (services are built from `(config, deps)`, docs/architecture.md):
// clients are created by the caller (the CLI, a test, the benchmark) and passed in.
import type { ClickHouseClient } from '../core/clickhouse.ts';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import type { Registry } from '../core/metrics.ts';
import type { KeyStore } from './auth/key.store.ts';

/** Where POST /v1/events sends validated events: the AuditProducer, or anything shaped like it. */
export interface EventSink {
  sendMany(events: unknown[]): Promise<void>;
}

export interface ApiDeps {
  config: Config;
  /** For every read; may be a read-only user (MCP_AUDIT_API_CLICKHOUSE_USER). */
  clickhouse: ClickHouseClient;
  /** For the API's only writes (incident status changes); absent: `clickhouse` writes too. */
  clickhouseWriter?: ClickHouseClient;
  events: EventSink;
  log: Logger;
  registry: Registry;
  /** True when Kafka answers (for /readyz). */
  kafkaReady: () => Promise<boolean>;
  keyStore: KeyStore;
}
