// The one configuration schema: every setting of every service, read from environment variables,
// parsed once at start-up. A bad value stops the program with a message naming the variable.
// README.md has the same table for people; `test/config.readme.test.ts` keeps the two in step.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** The checkout's root folder: relative paths in settings are resolved against it, not the cwd. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const csv = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(/^[\w.-]+:\d+$/, 'expected host:port')).min(1));

/** Each entry: the environment variable, its schema with default, and one line for the README. */
export const settings = {
  MCP_AUDIT_LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    doc: 'Log level of the JSON logs on stdout.',
  },
  MCP_AUDIT_KAFKA_BROKERS: {
    schema: csv.default(['127.0.0.1:9092']),
    doc: 'Comma-separated Kafka bootstrap servers.',
  },
  MCP_AUDIT_KAFKA_CLIENT_ID: { schema: z.string().min(1).max(100).default('mcp-audit'), doc: 'Kafka client id prefix.' },
  MCP_AUDIT_TOPIC_EVENTS: { schema: z.string().min(1).max(249).default('mcp.audit.events'), doc: 'Topic of audit events.' },
  MCP_AUDIT_TOPIC_EVENTS_DLQ: {
    schema: z.string().min(1).max(249).default('mcp.audit.events.dlq'),
    doc: 'Dead-letter topic for events that could not be ingested (original bytes plus reason headers).',
  },
  MCP_AUDIT_TOPIC_ALERTS: { schema: z.string().min(1).max(249).default('mcp.audit.alerts'), doc: 'Topic of alerts.' },
  MCP_AUDIT_TOPIC_ALERTS_DLQ: {
    schema: z.string().min(1).max(249).default('mcp.audit.alerts.dlq'),
    doc: 'Dead-letter topic for alerts.',
  },
  MCP_AUDIT_CLICKHOUSE_URL: {
    schema: z.url().default('http://127.0.0.1:8123'),
    doc: 'ClickHouse HTTP endpoint.',
  },
  MCP_AUDIT_CLICKHOUSE_USER: { schema: z.string().min(1).default('default'), doc: 'ClickHouse user.' },
  MCP_AUDIT_CLICKHOUSE_PASSWORD: {
    schema: z.string().default(''),
    doc: 'ClickHouse password. Never logged.',
    secret: true,
  },
  MCP_AUDIT_CLICKHOUSE_DATABASE: {
    schema: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'expected a plain identifier').default('mcp_audit'),
    doc: 'ClickHouse database holding the mcp-audit tables.',
  },
  MCP_AUDIT_EVENT_MAX_BYTES: {
    schema: int(1024, 1_048_576).default(65_536),
    doc: 'Largest accepted event, in bytes of its JSON encoding; larger events go to the dead-letter topic.',
  },
  MCP_AUDIT_INGEST_GROUP_ID: {
    schema: z.string().min(1).max(249).default('ingest'),
    doc: 'Kafka consumer group of the ingest service.',
  },
  MCP_AUDIT_INGEST_ALERTS_GROUP_ID: {
    schema: z.string().min(1).max(249).default('ingest-alerts'),
    doc: 'Kafka consumer group with which ingest stores alerts (its own group: alerts never wait behind events).',
  },
  MCP_AUDIT_INGEST_BATCH_ROWS: {
    schema: int(1, 1_000_000).default(20_000),
    doc: 'Ingest flushes a batch to ClickHouse once it holds this many rows...',
  },
  MCP_AUDIT_INGEST_FLUSH_MS: {
    schema: int(10, 600_000).default(1_000),
    doc: '...or once its oldest row has waited this long (milliseconds).',
  },
  MCP_AUDIT_INGEST_RETRY_MAX_MS: {
    schema: int(100, 600_000).default(30_000),
    doc: 'Longest wait between retries of a failed ClickHouse insert (exponential backoff up to this).',
  },
  MCP_AUDIT_INGEST_HEALTH_PORT: {
    schema: int(0, 65_535).default(9464),
    doc: 'Port of the ingest health server (/healthz, /metrics) on MCP_AUDIT_HEALTH_HOST; 0 picks a free port.',
  },
  MCP_AUDIT_HEALTH_HOST: {
    schema: z.string().min(1).default('127.0.0.1'),
    doc: 'Address the health servers listen on.',
  },
  // --- detector service ---
  MCP_AUDIT_DETECTOR_GROUP_ID: {
    schema: z.string().min(1).max(249).default('detector'),
    doc: 'Kafka consumer group of the detector.',
  },
  MCP_AUDIT_DETECTOR_HEALTH_PORT: {
    schema: int(0, 65_535).default(9465),
    doc: 'Port of the detector health server (/healthz, /metrics); 0 picks a free port.',
  },
  MCP_AUDIT_DETECTOR_LATENESS_MS: {
    schema: int(0, 3_600_000).default(5_000),
    doc: 'How late (event time) an event may arrive and still be matched in order.',
  },
  MCP_AUDIT_INCIDENT_GAP_MS: {
    schema: int(1_000, 86_400_000).default(1_800_000),
    doc: "Alerts of one user closer than this (ms) join the same incident.",
  },
  MCP_AUDIT_DETECTOR_REBUILD_WAIT_MS: {
    schema: int(0, 600_000).default(30_000),
    doc: 'At start, how long the detector waits for ingest to store the events it rebuilds state from.',
  },
  MCP_AUDIT_BASELINE_RELOAD_MS: {
    schema: int(1_000, 86_400_000).default(300_000),
    doc: 'How often the detector reloads baselines from ClickHouse (ms).',
  },
  MCP_AUDIT_RETENTION_DAYS: {
    schema: int(1, 36_500).default(90),
    doc: 'Daily partitions older than this many days are dropped by `mcp-audit retention`.',
  },
  MCP_AUDIT_STACK_DIR: {
    schema: z.string().min(1).default('.stack'),
    doc: 'Folder of the local stack: Kafka jars, data, logs and pid files; relative to the project folder.',
  },
  MCP_AUDIT_STACK_KAFKA_VERSION: {
    schema: z.enum(['3.9.2', '4.1.2']).default('3.9.2'),
    doc: 'Apache Kafka version the local stack runs (from Maven Central).',
  },
  MCP_AUDIT_STACK_KAFKA_PORT: { schema: int(1, 65_535).default(9092), doc: 'Local stack: Kafka broker port.' },
  MCP_AUDIT_STACK_KAFKA_CONTROLLER_PORT: {
    schema: int(1, 65_535).default(9093),
    doc: 'Local stack: Kafka KRaft controller port.',
  },
  MCP_AUDIT_STACK_CLICKHOUSE_HTTP_PORT: {
    schema: int(1, 65_535).default(8123),
    doc: 'Local stack: ClickHouse HTTP port.',
  },
  MCP_AUDIT_STACK_CLICKHOUSE_TCP_PORT: {
    schema: int(1, 65_535).default(9000),
    doc: 'Local stack: ClickHouse native protocol port.',
  },
  MCP_AUDIT_STACK_EVENTS_PARTITIONS: {
    schema: int(1, 1_000).default(6),
    doc: 'Local stack: partitions of the events topic (parallelism of ingest and detector).',
  },
} satisfies Record<string, { schema: z.ZodType; doc: string; secret?: boolean }>;

type Settings = typeof settings;
export type Env = { [K in keyof Settings]: z.output<Settings[K]['schema']> };

export class ConfigError extends Error {}

/** Parses the environment once. Empty strings count as unset, so `VAR=` falls back to the default. */
export function parseEnv(env: NodeJS.ProcessEnv = process.env): Env {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, setting] of Object.entries(settings)) {
    const raw = env[name] === '' ? undefined : env[name];
    const result = setting.schema.safeParse(raw);
    if (result.success) out[name] = result.data;
    else {
      const shown = 'secret' in setting && setting.secret ? '(hidden)' : JSON.stringify(raw);
      problems.push(`${name}=${shown}: ${result.error.issues.map((i) => i.message).join('; ')}`);
    }
  }
  if (problems.length) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  return out as Env;
}

/** The shaped configuration the services take. Built from `Env` so tests can override single parts. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const e = parseEnv(env);
  return {
    logLevel: e.MCP_AUDIT_LOG_LEVEL,
    kafka: { brokers: e.MCP_AUDIT_KAFKA_BROKERS, clientId: e.MCP_AUDIT_KAFKA_CLIENT_ID },
    topics: {
      events: e.MCP_AUDIT_TOPIC_EVENTS,
      eventsDlq: e.MCP_AUDIT_TOPIC_EVENTS_DLQ,
      alerts: e.MCP_AUDIT_TOPIC_ALERTS,
      alertsDlq: e.MCP_AUDIT_TOPIC_ALERTS_DLQ,
    },
    clickhouse: {
      url: e.MCP_AUDIT_CLICKHOUSE_URL,
      username: e.MCP_AUDIT_CLICKHOUSE_USER,
      password: e.MCP_AUDIT_CLICKHOUSE_PASSWORD,
      database: e.MCP_AUDIT_CLICKHOUSE_DATABASE,
    },
    event: { maxBytes: e.MCP_AUDIT_EVENT_MAX_BYTES },
    ingest: {
      groupId: e.MCP_AUDIT_INGEST_GROUP_ID,
      alertsGroupId: e.MCP_AUDIT_INGEST_ALERTS_GROUP_ID,
      batchRows: e.MCP_AUDIT_INGEST_BATCH_ROWS,
      flushMs: e.MCP_AUDIT_INGEST_FLUSH_MS,
      retryMaxMs: e.MCP_AUDIT_INGEST_RETRY_MAX_MS,
      healthPort: e.MCP_AUDIT_INGEST_HEALTH_PORT,
    },
    detector: {
      groupId: e.MCP_AUDIT_DETECTOR_GROUP_ID,
      healthPort: e.MCP_AUDIT_DETECTOR_HEALTH_PORT,
      latenessMs: e.MCP_AUDIT_DETECTOR_LATENESS_MS,
      incidentGapMs: e.MCP_AUDIT_INCIDENT_GAP_MS,
      rebuildWaitMs: e.MCP_AUDIT_DETECTOR_REBUILD_WAIT_MS,
      baselineReloadMs: e.MCP_AUDIT_BASELINE_RELOAD_MS,
    },
    healthHost: e.MCP_AUDIT_HEALTH_HOST,
    retentionDays: e.MCP_AUDIT_RETENTION_DAYS,
    stack: {
      dir: resolve(PROJECT_ROOT, e.MCP_AUDIT_STACK_DIR),
      kafkaVersion: e.MCP_AUDIT_STACK_KAFKA_VERSION,
      kafkaPort: e.MCP_AUDIT_STACK_KAFKA_PORT,
      kafkaControllerPort: e.MCP_AUDIT_STACK_KAFKA_CONTROLLER_PORT,
      clickhouseHttpPort: e.MCP_AUDIT_STACK_CLICKHOUSE_HTTP_PORT,
      clickhouseTcpPort: e.MCP_AUDIT_STACK_CLICKHOUSE_TCP_PORT,
      eventsPartitions: e.MCP_AUDIT_STACK_EVENTS_PARTITIONS,
    },
  };
}

export type Config = ReturnType<typeof loadConfig>;
