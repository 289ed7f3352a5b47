// What `mcp-audit run --demo` runs on: its own ClickHouse database, topics and consumer groups, so
// trying the demo never writes simulated attacks into a real installation's data; and what the
// simulated organisation looks like. Anything set in the environment still wins over these names.
import { loadConfig, type Config } from '../core/config.ts';
import { chainTypes } from '../simulate/chains.ts';
import type { InjectSpec } from '../simulate/simulate.ts';

export const DEMO_ENV: Readonly<Record<string, string>> = {
  MCP_AUDIT_CLICKHOUSE_DATABASE: 'mcp_audit_demo',
  MCP_AUDIT_TOPIC_EVENTS: 'demo.mcp.audit.events',
  MCP_AUDIT_TOPIC_EVENTS_DLQ: 'demo.mcp.audit.events.dlq',
  MCP_AUDIT_TOPIC_ALERTS: 'demo.mcp.audit.alerts',
  MCP_AUDIT_TOPIC_ALERTS_DLQ: 'demo.mcp.audit.alerts.dlq',
  MCP_AUDIT_TOPIC_SIGNALS: 'demo.mcp.audit.signals',
  MCP_AUDIT_INGEST_GROUP_ID: 'demo.ingest',
  MCP_AUDIT_INGEST_ALERTS_GROUP_ID: 'demo.ingest-alerts',
  MCP_AUDIT_INGEST_SIGNALS_GROUP_ID: 'demo.ingest-signals',
  MCP_AUDIT_DETECTOR_GROUP_ID: 'demo.detector',
  MCP_AUDIT_NOTIFIER_GROUP_ID: 'demo.notifier',
  // People watch the terminal for alert lines; service logs below warn would bury them.
  MCP_AUDIT_LOG_LEVEL: 'warn',
};

/** The configuration with the demo's names where the environment sets none (empty counts as unset). */
export function demoConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  return loadConfig({ ...DEMO_ENV, ...set });
}

/** The one tenant of the simulated organisation; the demo API key reads it. */
export const DEMO_TENANT = 'acme';
export const DEMO_USERS = 12;
/** Live events per second over all users: a busy small team, easy to follow in the API. */
export const DEMO_RATE = 4;
/** The simulator starts a chain 20 s after start and every 20 s after that, cycling through the types. */
export const CHAIN_EVERY_S = 20;
const ROUNDS = 200;
export const DEMO_CHAINS: InjectSpec[] = Array.from({ length: ROUNDS }, () => chainTypes.map((type) => ({ type, count: 1 }))).flat();
/** The prompt-injection story (demo.injected.ts): first told this long after start, then this often. */
export const INJECTED_FIRST_S = 10;
export const INJECTED_EVERY_S = 40;
