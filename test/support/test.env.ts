// Per-test isolation on the shared real stack: every test gets its own ClickHouse database and its
// own Kafka topics and consumer group, named with a random suffix, so tests never see each other's
// data and need no cleanup to stay correct.
import { randomBytes } from 'node:crypto';
import { createClickHouse, type ClickHouseClient } from '../../core/clickhouse.ts';
import { loadConfig, type Config } from '../../core/config.ts';
import { createLogger } from '../../core/logger.ts';
import { migrate } from '../../migrations/migrate.ts';
import { createTopics, stackTopics } from '../../stack/stack.ts';
import type { TopicReplication } from '../../stack/topics.ts';
import { TEST_HASH_KEY_HEX } from './hash.keys.ts';

// Tests provoke failures on purpose; their warnings would bury the test report. TEST_LOG_LEVEL=debug shows them.
export const testLog = createLogger(process.env.TEST_LOG_LEVEL ?? 'error', 'test');

export interface TestEnv {
  config: Config;
  clickhouse: ClickHouseClient;
  /** Environment variables that point a child `mcp-audit` process at this test's names. */
  env: Record<string, string>;
}

/** Fresh database (migrated) and topics for one test. `overrides` adjust the environment; `replication` is for a multi-broker cluster. */
export async function createTestEnv(name: string, overrides: Record<string, string> = {}, replication?: TopicReplication): Promise<TestEnv> {
  const suffix = `${name.replace(/[^a-z0-9]/gi, '_')}_${randomBytes(4).toString('hex')}`;
  const env: Record<string, string> = {
    MCP_AUDIT_CLICKHOUSE_DATABASE: `t_${suffix}`,
    MCP_AUDIT_TOPIC_EVENTS: `t.${suffix}.events`,
    MCP_AUDIT_TOPIC_EVENTS_DLQ: `t.${suffix}.events.dlq`,
    MCP_AUDIT_TOPIC_ALERTS: `t.${suffix}.alerts`,
    MCP_AUDIT_TOPIC_ALERTS_DLQ: `t.${suffix}.alerts.dlq`,
    MCP_AUDIT_TOPIC_SIGNALS: `t.${suffix}.signals`,
    MCP_AUDIT_INGEST_GROUP_ID: `t.${suffix}.ingest`,
    MCP_AUDIT_INGEST_ALERTS_GROUP_ID: `t.${suffix}.ingest-alerts`,
    MCP_AUDIT_INGEST_SIGNALS_GROUP_ID: `t.${suffix}.ingest-signals`,
    MCP_AUDIT_DETECTOR_GROUP_ID: `t.${suffix}.detector`,
    MCP_AUDIT_DETECTOR_HEALTH_PORT: '0',
    MCP_AUDIT_NOTIFIER_GROUP_ID: `t.${suffix}.notifier`,
    MCP_AUDIT_NOTIFIER_HEALTH_PORT: '0',
    MCP_AUDIT_INGEST_HEALTH_PORT: '0',
    MCP_AUDIT_INGEST_FLUSH_MS: '200',
    // One ingest process per child: fault tests reason about one consumer (bench:ingest measures workers).
    MCP_AUDIT_INGEST_WORKERS: '1',
    MCP_AUDIT_INGEST_RETRY_MAX_MS: '2000',
    MCP_AUDIT_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
    // A fixed key: capture never generates one into the shared stack folder during tests.
    MCP_AUDIT_HASH_KEY: TEST_HASH_KEY_HEX,
    ...overrides,
  };
  const config = loadConfig({ ...process.env, ...env });
  await createTopics(config.kafka, stackTopics(config), testLog, replication);
  const admin = createClickHouse({ ...config.clickhouse, database: null });
  await migrate(admin, config.clickhouse.database, testLog);
  await admin.close();
  const clickhouse = createClickHouse(config.clickhouse);
  return { config, clickhouse, env };
}

export async function queryRows<T>(ch: ClickHouseClient, query: string): Promise<T[]> {
  return (await ch.query({ query, format: 'JSONEachRow' })).json<T>();
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns the last result. */
export async function eventually(check: () => Promise<boolean>, timeoutMs: number, everyMs = 250): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
