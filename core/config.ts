// The one configuration schema: every setting of every service, read from environment variables,
// parsed once at start-up. A bad value stops the program with a message naming the variable.
// README.md has the same table for people; `cli/config.command.test.ts` keeps the two in step.
import { resolve } from 'node:path';
import { z } from 'zod';
import { validate as cronValidate } from 'node-cron';
import type { KafkaConnection } from './kafka.security.ts';
import { buildShaped, type SettingSpec, type ShapeMismatches } from './config.shape.ts';
import { MODULES_ROOT, PACKAGE_ROOT, RUNS_FROM_SOURCE } from './package.paths.ts';

/**
 * The project folder relative paths in settings are resolved against: the checkout when mcp-audit
 * runs from its sources (whatever the cwd), the working directory when it runs as an installed
 * package (its folder under node_modules is replaced by every install: no place for the stack's
 * data, spilled events or the generated hash key).
 */
export const PROJECT_ROOT = RUNS_FROM_SOURCE ? PACKAGE_ROOT : process.cwd();

/** `detector/pack`, the default rule folder, names the shipped pack wherever the package runs from. */
const SHIPPED_PACK = 'detector/pack';
const rulesPath = (p: string) => resolve(p === SHIPPED_PACK ? MODULES_ROOT : PROJECT_ROOT, p);

/** A file named by a setting, resolved like every path setting; '' stays '' (not set). */
const projectPath = (p: string) => (p ? resolve(PROJECT_ROOT, p) : '');

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const csv = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(/^[\w.-]+:\d+$/, 'expected host:port')).min(1));

/** The SASL mechanisms kafkajs speaks without plug-ins, as its `sasl.mechanism` option names them. */
export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

/** A key given as hex (an even number of hex digits) or else as base64; hex wins when both could be meant. */
function decodeHashKey(text: string): Buffer {
  const t = text.trim();
  return /^(?:[0-9a-fA-F]{2})+$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
}

/**
 * Each entry, written once: the environment variable; where its value goes in the shaped config
 * (`path`, several entries naming one of `composites` below build that part together; no path: the
 * setting only changes others); its schema with default; one line for the README; and a `shape`
 * when the shaped value differs from the parsed one (a file resolved against the project folder).
 */
export const settings = {
  MCP_AUDIT_LOG_LEVEL: {
    path: 'logLevel',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    doc: 'Log level of the JSON logs on stdout.',
  },
  MCP_AUDIT_KAFKA_BROKERS: {
    path: 'kafka.brokers',
    schema: csv.default(['127.0.0.1:9092']),
    doc: 'Comma-separated Kafka bootstrap servers.',
  },
  MCP_AUDIT_KAFKA_CLIENT_ID: { path: 'kafka.clientId', schema: z.string().min(1).max(100).default('mcp-audit'), doc: 'Kafka client id prefix.' },
  // --- secured Kafka (core/kafka.security.ts): every Kafka client of every role uses these ---
  MCP_AUDIT_KAFKA_SASL_MECHANISM: {
    path: 'kafka.sasl',
    schema: z.preprocess((v) => (typeof v === 'string' ? v.trim().toLowerCase() : v), z.enum(['none', ...SASL_MECHANISMS]).default('none')),
    doc: 'SASL mechanism of the Kafka listener: `plain`, `scram-sha-256` or `scram-sha-512` (as Kafka spells them, in any case); `none`: no SASL. Needs MCP_AUDIT_KAFKA_SASL_USERNAME and _PASSWORD; use TLS with it (PLAIN sends the password as it is).',
  },
  MCP_AUDIT_KAFKA_SASL_USERNAME: { path: 'kafka.sasl', schema: z.string().max(1024).default(''), doc: 'Kafka SASL user name.' },
  MCP_AUDIT_KAFKA_SASL_PASSWORD: { path: 'kafka.sasl', schema: z.string().max(4096).default(''), doc: 'Kafka SASL password. Never logged.', secret: true },
  MCP_AUDIT_KAFKA_TLS: {
    path: 'kafka.tls',
    schema: z.stringbool().default(false),
    doc: "Connect to Kafka over TLS (an SSL or SASL_SSL listener). The brokers' certificates are verified against Node's CA list, or MCP_AUDIT_KAFKA_TLS_CA_FILE.",
  },
  MCP_AUDIT_KAFKA_TLS_CA_FILE: {
    path: 'kafka.tls',
    schema: z.string().default(''),
    doc: "PEM file of the CA certificate(s) that signed the brokers' certificates (a private CA); relative to the project folder. Empty: Node's CA list.",
  },
  MCP_AUDIT_KAFKA_TLS_CERT_FILE: {
    path: 'kafka.tls',
    schema: z.string().default(''),
    doc: 'PEM client certificate, for brokers that require one (`ssl.client.auth=required`); with MCP_AUDIT_KAFKA_TLS_KEY_FILE.',
  },
  MCP_AUDIT_KAFKA_TLS_KEY_FILE: { path: 'kafka.tls', schema: z.string().default(''), doc: 'PEM private key (unencrypted) of MCP_AUDIT_KAFKA_TLS_CERT_FILE.' },
  MCP_AUDIT_KAFKA_TLS_SERVERNAME: {
    path: 'kafka.tls',
    schema: z.string().max(253).default(''),
    doc: "Name the brokers' certificates must carry (and the TLS SNI), when it differs from the host in MCP_AUDIT_KAFKA_BROKERS (a tunnel, an IP address). Empty: each broker's host.",
  },
  MCP_AUDIT_KAFKA_TLS_REJECT_UNAUTHORIZED: {
    path: 'kafka.tls',
    schema: z.stringbool().default(true),
    doc: "`false` accepts any broker certificate: encrypted, but to whoever answers. Only for a throw-away test broker.",
  },
  MCP_AUDIT_KAFKA_CONSUMER_CONCURRENCY: {
    path: 'consumer.concurrency',
    schema: int(1, 1_000).default(6),
    doc: 'Partitions each consumer (ingest, detector, notifier) works on at the same time, one batch per partition; more than the partitions it is assigned changes nothing.',
  },
  MCP_AUDIT_KAFKA_CONSUMER_CLIENT: {
    path: 'consumer.client',
    // @platformatic/kafka by default: the same tests pass on both, and ingest takes less CPU per event on it (BENCHMARKS.md).
    schema: z.enum(['kafkajs', 'platformatic']).default('platformatic'),
    doc: 'Kafka client library under the consumers of ingest, detector and notifier, with the dead-letter producer of those consumers: `platformatic` (@platformatic/kafka) or `kafkajs`; other producers stay on kafkajs.',
  },
  MCP_AUDIT_NAME_PREFIX: {
    schema: z.string().max(100).regex(/^[A-Za-z0-9._-]*$/, 'letters, digits, . _ - only').default(''),
    doc: 'Put before the default name of every topic and consumer group (MCP_AUDIT_TOPIC_*, *_GROUP_ID), e.g. `staging.`, to isolate a pipeline with one setting; names set explicitly are kept as they are.',
  },
  MCP_AUDIT_TOPIC_EVENTS: { path: 'topics.events', schema: z.string().min(1).max(249).default('mcp.audit.events'), doc: 'Topic of audit events.' },
  MCP_AUDIT_TOPIC_EVENTS_DLQ: {
    path: 'topics.eventsDlq',
    schema: z.string().min(1).max(249).default('mcp.audit.events.dlq'),
    doc: 'Dead-letter topic for events that could not be ingested (original bytes plus reason headers).',
  },
  MCP_AUDIT_TOPIC_ALERTS: { path: 'topics.alerts', schema: z.string().min(1).max(249).default('mcp.audit.alerts'), doc: 'Topic of alerts.' },
  MCP_AUDIT_TOPIC_ALERTS_DLQ: {
    path: 'topics.alertsDlq',
    schema: z.string().min(1).max(249).default('mcp.audit.alerts.dlq'),
    doc: 'Dead-letter topic for alerts.',
  },
  MCP_AUDIT_TOPIC_SIGNALS: {
    path: 'topics.signals',
    schema: z.string().min(1).max(249).default('mcp.audit.signals'),
    doc: 'Topic of signals: rule matches that add risk to a story instead of alerting (stored, shown in incident stories, never sent to a SIEM). Bad ones go to the alerts dead-letter topic.',
  },
  MCP_AUDIT_CLICKHOUSE_URL: {
    path: 'clickhouse.url',
    schema: z.url().default('http://127.0.0.1:8123'),
    doc: 'ClickHouse HTTP endpoint.',
  },
  MCP_AUDIT_CLICKHOUSE_USER: { path: 'clickhouse.username', schema: z.string().min(1).default('default'), doc: 'ClickHouse user.' },
  MCP_AUDIT_CLICKHOUSE_PASSWORD: {
    path: 'clickhouse.password',
    schema: z.string().default(''),
    doc: 'ClickHouse password. Never logged.',
    secret: true,
  },
  MCP_AUDIT_CLICKHOUSE_TLS_CA_FILE: {
    path: 'clickhouse.tls.caFile',
    shape: projectPath,
    schema: z.string().default(''),
    doc: "With an `https://` MCP_AUDIT_CLICKHOUSE_URL: PEM file of the CA that signed ClickHouse's certificate (a private CA); relative to the project folder. Empty: Node's CA list.",
  },
  MCP_AUDIT_CLICKHOUSE_TLS_CERT_FILE: {
    path: 'clickhouse.tls.certFile',
    shape: projectPath,
    schema: z.string().default(''),
    doc: 'PEM client certificate for a ClickHouse that requires one (openSSL `verificationMode` strict); with MCP_AUDIT_CLICKHOUSE_TLS_KEY_FILE. The user still signs in with its password.',
  },
  MCP_AUDIT_CLICKHOUSE_TLS_KEY_FILE: { path: 'clickhouse.tls.keyFile', shape: projectPath, schema: z.string().default(''), doc: 'PEM private key (unencrypted) of MCP_AUDIT_CLICKHOUSE_TLS_CERT_FILE.' },
  MCP_AUDIT_CLICKHOUSE_DATABASE: {
    path: 'clickhouse.database',
    schema: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'expected a plain identifier').default('mcp_audit'),
    doc: 'ClickHouse database holding the mcp-audit tables.',
  },
  MCP_AUDIT_EVENT_MAX_BYTES: {
    path: 'event.maxBytes',
    schema: int(1024, 1_048_576).default(65_536),
    doc: 'Largest accepted event, in bytes of its JSON encoding; larger events go to the dead-letter topic.',
  },
  MCP_AUDIT_INGEST_GROUP_ID: {
    path: 'ingest.groupId',
    schema: z.string().min(1).max(249).default('ingest'),
    doc: 'Kafka consumer group of the ingest service.',
  },
  MCP_AUDIT_INGEST_ALERTS_GROUP_ID: {
    path: 'ingest.alertsGroupId',
    schema: z.string().min(1).max(249).default('ingest-alerts'),
    doc: 'Kafka consumer group with which ingest stores alerts (its own group: alerts never wait behind events).',
  },
  MCP_AUDIT_INGEST_SIGNALS_GROUP_ID: {
    path: 'ingest.signalsGroupId',
    schema: z.string().min(1).max(249).default('ingest-signals'),
    doc: 'Kafka consumer group with which ingest stores signals.',
  },
  MCP_AUDIT_INGEST_BATCH_ROWS: {
    path: 'ingest.batchRows',
    schema: int(1, 1_000_000).default(20_000),
    doc: 'Ingest flushes a batch to ClickHouse once it holds this many rows...',
  },
  MCP_AUDIT_INGEST_FLUSH_MS: {
    path: 'ingest.flushMs',
    schema: int(10, 600_000).default(1_000),
    doc: '...or once its oldest row has waited this long (milliseconds).',
  },
  MCP_AUDIT_INGEST_RETRY_MAX_MS: {
    path: 'ingest.retryMaxMs',
    schema: int(100, 600_000).default(30_000),
    doc: 'Longest wait between retries of a failed ClickHouse insert (exponential backoff up to this).',
  },
  MCP_AUDIT_INGEST_HEALTH_PORT: {
    path: 'ingest.healthPort',
    schema: int(0, 65_535).default(9464),
    doc: 'Port of the ingest health server (/healthz, /metrics) on MCP_AUDIT_HEALTH_HOST; 0 picks a free port.',
  },
  // --- ingest scale-out (ingest/ingest.cluster.ts) ---
  MCP_AUDIT_INGEST_WORKERS: {
    path: 'ingest.workers',
    schema: int(0, 64).default(0),
    doc: 'Processes of `mcp-audit ingest` that consume the events topic in parallel (one consumer group, one health server); 0 means one per CPU.',
  },
  MCP_AUDIT_HEALTH_HOST: {
    path: 'healthHost',
    schema: z.string().min(1).default('127.0.0.1'),
    doc: 'Address the health servers listen on.',
  },
  // --- detector service ---
  MCP_AUDIT_DETECTOR_GROUP_ID: {
    path: 'detector.groupId',
    schema: z.string().min(1).max(249).default('detector'),
    doc: 'Kafka consumer group of the detector.',
  },
  MCP_AUDIT_DETECTOR_HEALTH_PORT: {
    path: 'detector.healthPort',
    schema: int(0, 65_535).default(9465),
    doc: 'Port of the detector health server (/healthz, /metrics); 0 picks a free port.',
  },
  MCP_AUDIT_DETECTOR_LATENESS_MS: {
    path: 'detector.latenessMs',
    schema: int(0, 3_600_000).default(5_000),
    doc: 'How late (event time) an event may arrive and still be matched in order.',
  },
  MCP_AUDIT_DETECTOR_RISK_THRESHOLD: {
    path: 'detector.risk.threshold',
    schema: int(1, 10_000).default(100),
    doc: 'Risk at which a story of signals (one agent run, or one user) becomes an alert. Rule risk scores are 0-100: at 100 two medium signals or three weak ones within about half an hour alert. Lower catches more slow or partial attacks and raises more false alerts; higher the reverse.',
  },
  MCP_AUDIT_DETECTOR_RISK_HALF_LIFE_MS: {
    path: 'detector.risk.halfLifeMs',
    schema: int(60_000, 86_400_000).default(1_800_000),
    doc: 'Time for accumulated risk to halve (event time). Longer joins signals further apart into one story (slow attacks) at the price of more routine signals adding up.',
  },
  MCP_AUDIT_DETECTOR_RISK_MIN_RULES: {
    path: 'detector.risk.minDistinctRules',
    schema: int(1, 10).default(2),
    doc: 'Different rules a story needs before it alerts, so one noisy rule repeating never alerts alone.',
  },
  MCP_AUDIT_INCIDENT_GAP_MS: {
    path: 'detector.incidentGapMs',
    schema: int(1_000, 86_400_000).default(1_800_000),
    doc: "Alerts of one user closer than this (ms) join the same incident.",
  },
  MCP_AUDIT_DETECTOR_REBUILD_WAIT_MS: {
    path: 'detector.rebuildWaitMs',
    schema: int(0, 600_000).default(30_000),
    doc: 'At start and after a rebalance, how long the detector waits for ingest to store the events it rebuilds state from (until the committed offsets of MCP_AUDIT_INGEST_GROUP_ID reach its own).',
  },
  MCP_AUDIT_DETECTOR_COMMIT_INTERVAL_MS: {
    path: 'detector.commitIntervalMs',
    schema: int(50, 60_000).default(500),
    doc: 'How often the detector commits the offsets of the events it finished (ms). After a crash it reads up to this much again (the alerts come again with the same ids); shorter costs a commit request each time.',
  },
  MCP_AUDIT_DETECTOR_FETCH_LINGER_MS: {
    path: 'detector.fetchLingerMs',
    schema: int(0, 1_000).default(0),
    doc: 'How long the broker may collect events for one detector fetch (ms). 0 answers as soon as one event is there (lowest latency, a fetch request per few events under load); more means fewer, larger fetches and adds at most this to an alert\'s latency.',
  },
  MCP_AUDIT_BASELINE_RELOAD_MS: {
    path: 'detector.baselineReloadMs',
    schema: int(1_000, 86_400_000).default(300_000),
    doc: 'How often the detector reloads baselines from ClickHouse (ms).',
  },
  // --- notifier service (alert delivery to SIEMs; destinations in notifier/destinations.config.ts) ---
  MCP_AUDIT_NOTIFIER_GROUP_ID: {
    path: 'notifier.groupId',
    schema: z.string().min(1).max(249).default('notifier'),
    doc: 'Kafka consumer group of the notifier.',
  },
  MCP_AUDIT_NOTIFIER_DESTINATIONS: {
    path: 'notifier.destinationsFile',
    schema: z.string().default(''),
    doc: 'Path of a JSON or YAML file listing the SIEM destinations of the notifier (see "Alert delivery").',
  },
  MCP_AUDIT_NOTIFIER_DESTINATIONS_JSON: {
    path: 'notifier.destinationsJson',
    schema: z.string().default(''),
    doc: 'The same list inline as JSON, used when MCP_AUDIT_NOTIFIER_DESTINATIONS is not set. Holds no secrets (they come from secret_env / secret_file).',
  },
  MCP_AUDIT_NOTIFIER_HEALTH_PORT: {
    path: 'notifier.healthPort',
    schema: int(0, 65_535).default(9466),
    doc: 'Port of the notifier health server (/healthz, /metrics); 0 picks a free port.',
  },
  // --- incident API (api/; `mcp-audit api`) ---
  MCP_AUDIT_API_HOST: {
    path: 'api.host',
    schema: z.string().min(1).default('127.0.0.1'),
    doc: 'Address the incident API listens on.',
  },
  MCP_AUDIT_API_PORT: {
    path: 'api.port',
    schema: int(0, 65_535).default(8080),
    doc: 'Port of the incident API (also serves /healthz, /readyz, /metrics, /openapi.json, /docs); 0 picks a free port.',
  },
  MCP_AUDIT_API_BODY_LIMIT_BYTES: {
    path: 'api.bodyLimitBytes',
    schema: int(1024, 104_857_600).default(1_048_576),
    doc: 'Largest request body the API accepts (bytes); larger requests get 413. Bounds one NDJSON batch of POST /v1/events.',
  },
  MCP_AUDIT_API_EVENTS_BATCH_MAX: {
    path: 'api.eventsBatchMax',
    schema: int(1, 100_000).default(1_000),
    doc: 'Most events one POST /v1/events request may carry; a longer NDJSON batch is refused with 413.',
  },
  MCP_AUDIT_API_RATE_LIMIT_MAX: {
    path: 'api.rateLimitMax',
    schema: int(1, 1_000_000).default(600),
    doc: 'Requests one API key may make per rate-limit window; more get 429.',
  },
  MCP_AUDIT_API_RATE_LIMIT_WINDOW_MS: {
    path: 'api.rateLimitWindowMs',
    schema: int(1_000, 3_600_000).default(60_000),
    doc: 'Length of the per-key rate-limit window (ms).',
  },
  MCP_AUDIT_API_AUTH_FAILURES_MAX: {
    path: 'api.authFailuresMax',
    schema: int(1, 100_000).default(20),
    doc: 'Failed authentications one source address may make per window; then its requests get 429 before any key lookup until the window ends.',
  },
  MCP_AUDIT_API_AUTH_FAILURES_WINDOW_MS: {
    path: 'api.authFailuresWindowMs',
    schema: int(1_000, 86_400_000).default(60_000),
    doc: 'Length of the failed-authentication window per source address (ms).',
  },
  MCP_AUDIT_API_CLICKHOUSE_USER: {
    path: 'api.clickhouseReader',
    schema: z.string().max(256).default(''),
    doc: 'ClickHouse user of the API\'s reads (a read-only user such as `mcp_audit_api_reader`); only incident status changes write, with MCP_AUDIT_CLICKHOUSE_USER. Empty: the API reads as MCP_AUDIT_CLICKHOUSE_USER too.',
  },
  MCP_AUDIT_API_CLICKHOUSE_PASSWORD: {
    path: 'api.clickhouseReader',
    schema: z.string().default(''),
    doc: 'Password of MCP_AUDIT_API_CLICKHOUSE_USER. Never logged.',
    secret: true,
  },
  MCP_AUDIT_API_KEY_CACHE_MS: {
    path: 'api.keyCacheMs',
    schema: int(0, 300_000).default(5_000),
    doc: 'How long the API caches an API key lookup (ms); a revoked key stops working within this time.',
  },
  // --- OTLP receiver (otlp/; POST /v1/traces and /v1/logs on the api, or alone with `mcp-audit otlp`) ---
  MCP_AUDIT_OTLP_HOST: {
    path: 'otlp.host',
    schema: z.string().min(1).default('127.0.0.1'),
    doc: 'Address `mcp-audit otlp` (the OTLP/HTTP receiver alone) listens on; the api serves the same routes on its own port.',
  },
  MCP_AUDIT_OTLP_PORT: {
    path: 'otlp.port',
    schema: int(0, 65_535).default(4318),
    doc: 'Port of `mcp-audit otlp` (4318 is the OTLP/HTTP default; also serves /healthz, /readyz, /metrics); 0 picks a free port.',
  },
  MCP_AUDIT_OTLP_BODY_LIMIT_BYTES: {
    path: 'otlp.bodyLimitBytes',
    schema: int(1024, 104_857_600).default(4_194_304),
    doc: 'Largest OTLP request body (bytes), checked as sent and again after gzip is undone; larger requests get 413.',
  },
  // --- cluster mode (issue 7: migrations on a ClickHouse cluster, docs/scaling.md) ---
  MCP_AUDIT_CLICKHOUSE_CLUSTER: {
    path: 'clickhouseCluster',
    schema: z.string().regex(/^([A-Za-z_][A-Za-z0-9_]{0,63})?$/, 'expected a plain identifier').default(''),
    doc: 'ClickHouse cluster name (from remote_servers). When set, `mcp-audit migrate` creates every table ON CLUSTER as a replicated `<table>_local` plus a Distributed table under the usual name. Empty: one server.',
  },
  // --- baselines (detector/baselines: node-cron job aggregating `events` into `baselines`) ---
  MCP_AUDIT_BASELINE_LOOKBACK_DAYS: {
    path: 'baselines.lookbackDays',
    schema: int(1, 366).default(28),
    doc: 'Days of event history the baselines are computed over (whole hours up to the current one).',
  },
  MCP_AUDIT_BASELINE_CRON: {
    path: 'baselines.cron',
    schema: z
      .string()
      .min(1)
      .refine((s) => cronValidate(s), 'expected a cron expression, e.g. */15 * * * *')
      .default('*/15 * * * *'),
    doc: 'When the baseline job recomputes (node-cron expression; a run still going at the next tick makes that tick skip).',
  },
  MCP_AUDIT_BASELINE_HEALTH_PORT: {
    path: 'baselines.healthPort',
    schema: int(0, 65_535).default(9467),
    doc: 'Port of the health server (/healthz, /metrics) of `mcp-audit baselines schedule`; 0 picks a free port.',
  },
  // --- detector rules and capability catalogue ---
  MCP_AUDIT_RULES_DIRS: {
    path: 'rules.dirs',
    shape: (dirs: string[]) => dirs.map(rulesPath),
    schema: z.string().default(SHIPPED_PACK).transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)),
    doc: 'Comma-separated folders (or files) of detection rules (one YAML rule per file); relative to the project folder.',
  },
  MCP_AUDIT_CATALOGUE_FILES: {
    path: 'rules.catalogueFiles',
    shape: (files: string[]) => files.map((f) => resolve(PROJECT_ROOT, f)),
    schema: z.string().default('').transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)),
    doc: 'Comma-separated extra capability catalogue files (YAML); their entries take precedence over the shipped catalogue.',
  },
  // --- capture (capture/: SDK middleware and `mcp-audit proxy`): identity, redaction, spill buffer ---
  MCP_AUDIT_TENANT: {
    path: 'capture.tenant',
    schema: z.string().min(1).max(128).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, . _ - only').default('default'),
    doc: 'Capture: tenant of the captured calls (overridden by `proxy --tenant`).',
  },
  MCP_AUDIT_USER: {
    path: 'capture.user',
    schema: z.string().max(256).default(''),
    doc: 'Capture: user on whose behalf the agent calls (overridden by `proxy --user`); the proxy needs a user from a flag, this, or a header.',
  },
  MCP_AUDIT_AGENT: {
    path: 'capture.agent',
    schema: z.string().max(256).default(''),
    doc: 'Capture: agent id of the captured calls (overridden by `proxy --agent`).',
  },
  MCP_AUDIT_CAPTURE_DENY_KEYS: {
    path: 'capture.denyKeys',
    schema: z.string().default('').transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)),
    doc: 'Capture: comma-separated argument keys whose values are always redacted, added to the built-in list (password, token, api_key, authorization, ...).',
  },
  MCP_AUDIT_CAPTURE_PREVIEW_CHARS: {
    path: 'capture.previewChars',
    schema: int(0, 4_096).default(1_024),
    doc: 'Capture: longest redacted argument preview kept in an event (characters).',
  },
  MCP_AUDIT_CAPTURE_SPILL_DIR: {
    path: 'capture.spillDir',
    shape: (dir: string) => resolve(PROJECT_ROOT, dir),
    schema: z.string().min(1).default('.spill'),
    doc: 'Capture: folder of the spill files that hold audit events while Kafka is unreachable; relative to the project folder.',
  },
  MCP_AUDIT_CAPTURE_SPILL_MAX_BYTES: {
    path: 'capture.spillMaxBytes',
    schema: int(1_048_576, 1_099_511_627_776).default(268_435_456),
    doc: 'Capture: most bytes of undelivered events kept in spill files; beyond it events are dropped, counted and logged.',
  },
  MCP_AUDIT_CAPTURE_MEMORY_EVENTS: {
    path: 'capture.memoryEvents',
    schema: int(1, 1_000_000).default(10_000),
    doc: 'Capture: most audit events waiting in memory; more spill to disk.',
  },
  MCP_AUDIT_CAPTURE_SEND_TIMEOUT_MS: {
    path: 'capture.sendTimeoutMs',
    schema: int(100, 600_000).default(2_000),
    doc: 'Capture: a Kafka send unacknowledged this long (ms) counts as an outage, and new events spill to disk.',
  },
  MCP_AUDIT_CAPTURE_STOP_TIMEOUT_MS: {
    path: 'capture.stopTimeoutMs',
    schema: int(0, 600_000).default(5_000),
    doc: 'Capture: at exit, how long (ms) the proxy waits for Kafka to take the last events before leaving them in the spill file.',
  },
  MCP_AUDIT_HASH_KEY: {
    path: 'capture.hashKey',
    shape: (key: string) => (key ? decodeHashKey(key) : undefined),
    schema: z
      .string()
      .default('')
      .refine((s) => s === '' || decodeHashKey(s).length >= 32, 'expected hex or base64 of at least 32 bytes'),
    doc: 'Capture: secret key of the keyed hashes and value fingerprints (hex, or base64, of at least 32 random bytes; every capture point of a deployment needs the same one). Never logged. Unset: capture uses a key it generates once into `hash.key` in MCP_AUDIT_STACK_DIR and logs a warning at every start: fine for one machine, not for production.',
    secret: true,
  },
  MCP_AUDIT_HASH_KEY_ID: {
    path: 'capture.hashKeyId',
    shape: (id: string) => id || undefined,
    schema: z.string().regex(/^[A-Za-z0-9._-]{0,64}$/, 'letters, digits, . _ - only, at most 64').default(''),
    doc: 'Capture: name of the hash key, carried by every event as `hash_key_id` (change it with the key). Unset: `k-` and 8 hex digits derived from the key.',
  },
  MCP_AUDIT_EPISODE_IDLE_MS: {
    path: 'capture.episodeIdleMs',
    schema: int(1_000, 86_400_000).default(1_800_000),
    doc: 'Capture: with no trace, conversation or session id, a pause longer than this (ms) between calls of one client, user and server starts a new episode.',
  },
  MCP_AUDIT_PROXY_HEALTH_PORT: {
    path: 'capture.proxyHealthPort',
    schema: int(-1, 65_535).default(-1),
    doc: 'Port of the proxy health server (/healthz, /metrics); -1: none (a stdio proxy usually runs one per MCP server); 0 picks a free port.',
  },
  MCP_AUDIT_PROXY_IDENTITY_HEADERS: {
    path: 'capture.identityHeaders',
    schema: z.stringbool().default(false),
    doc: 'HTTP proxy: take tenant, user and agent from the X-MCP-Audit-Tenant/-User/-Agent request headers (only behind a gateway that sets them).',
  },
  MCP_AUDIT_RETENTION_DAYS: {
    path: 'retentionDays',
    schema: int(1, 36_500).default(90),
    doc: 'Daily partitions older than this many days are dropped by `mcp-audit retention`.',
  },
  MCP_AUDIT_STACK_DIR: {
    path: 'stack.dir',
    shape: (dir: string) => resolve(PROJECT_ROOT, dir),
    schema: z.string().min(1).default('.stack'),
    doc: 'Folder of the local stack: Kafka jars, data, logs and pid files; relative to the project folder.',
  },
  MCP_AUDIT_STACK_KAFKA_VERSION: {
    path: 'stack.kafkaVersion',
    schema: z.enum(['3.9.2', '4.1.2']).default('3.9.2'),
    doc: 'Apache Kafka version the local stack runs (from Maven Central).',
  },
  MCP_AUDIT_STACK_KAFKA_PORT: { path: 'stack.kafkaPort', schema: int(1, 65_535).default(9092), doc: 'Local stack: Kafka broker port.' },
  MCP_AUDIT_STACK_KAFKA_CONTROLLER_PORT: {
    path: 'stack.kafkaControllerPort',
    schema: int(1, 65_535).default(9093),
    doc: 'Local stack: Kafka KRaft controller port.',
  },
  MCP_AUDIT_STACK_CLICKHOUSE_HTTP_PORT: {
    path: 'stack.clickhouseHttpPort',
    schema: int(1, 65_535).default(8123),
    doc: 'Local stack: ClickHouse HTTP port.',
  },
  MCP_AUDIT_STACK_CLICKHOUSE_TCP_PORT: {
    path: 'stack.clickhouseTcpPort',
    schema: int(1, 65_535).default(9000),
    doc: 'Local stack: ClickHouse native protocol port.',
  },
  MCP_AUDIT_STACK_EVENTS_PARTITIONS: {
    path: 'stack.eventsPartitions',
    schema: int(1, 1_000).default(6),
    doc: 'Local stack: partitions of the events, alerts and signals topics (how many consumers of one group can share a topic).',
  },
} as const satisfies Record<string, SettingSpec>;

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
  if (!problems.length) problems.push(...combinationProblems(out as Env));
  if (problems.length) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  const prefix = out.MCP_AUDIT_NAME_PREFIX as string;
  if (prefix) {
    for (const name of Object.keys(settings)) {
      if (!PREFIXED.test(name) || (env[name] !== undefined && env[name] !== '')) continue;
      out[name] = `${prefix}${out[name] as string}`;
    }
  }
  return out as Env;
}

/** Settings that only mean something together; each problem names the variables to change. */
function combinationProblems(e: Env): string[] {
  const problems: string[] = [];
  const sasl = e.MCP_AUDIT_KAFKA_SASL_MECHANISM;
  if (sasl !== 'none' && (!e.MCP_AUDIT_KAFKA_SASL_USERNAME || !e.MCP_AUDIT_KAFKA_SASL_PASSWORD)) {
    problems.push(`MCP_AUDIT_KAFKA_SASL_MECHANISM=${sasl} needs MCP_AUDIT_KAFKA_SASL_USERNAME and MCP_AUDIT_KAFKA_SASL_PASSWORD`);
  }
  if (sasl === 'none' && (e.MCP_AUDIT_KAFKA_SASL_USERNAME || e.MCP_AUDIT_KAFKA_SASL_PASSWORD)) {
    problems.push(`MCP_AUDIT_KAFKA_SASL_USERNAME / _PASSWORD are set but MCP_AUDIT_KAFKA_SASL_MECHANISM is none: set it to ${SASL_MECHANISMS.join(', ')}`);
  }
  const kafkaTlsOnly: string[] = (['MCP_AUDIT_KAFKA_TLS_CA_FILE', 'MCP_AUDIT_KAFKA_TLS_CERT_FILE', 'MCP_AUDIT_KAFKA_TLS_KEY_FILE', 'MCP_AUDIT_KAFKA_TLS_SERVERNAME'] as const).filter((k) => e[k]);
  if (!e.MCP_AUDIT_KAFKA_TLS_REJECT_UNAUTHORIZED) kafkaTlsOnly.push('MCP_AUDIT_KAFKA_TLS_REJECT_UNAUTHORIZED');
  if (!e.MCP_AUDIT_KAFKA_TLS && kafkaTlsOnly.length) problems.push(`${kafkaTlsOnly.join(', ')} apply to TLS only: set MCP_AUDIT_KAFKA_TLS=true (or unset them)`);
  if (!e.MCP_AUDIT_KAFKA_TLS_CERT_FILE !== !e.MCP_AUDIT_KAFKA_TLS_KEY_FILE) problems.push('MCP_AUDIT_KAFKA_TLS_CERT_FILE and MCP_AUDIT_KAFKA_TLS_KEY_FILE go together: set both or neither');
  const chTls = (['MCP_AUDIT_CLICKHOUSE_TLS_CA_FILE', 'MCP_AUDIT_CLICKHOUSE_TLS_CERT_FILE', 'MCP_AUDIT_CLICKHOUSE_TLS_KEY_FILE'] as const).filter((k) => e[k]);
  if (chTls.length && !e.MCP_AUDIT_CLICKHOUSE_URL.startsWith('https:')) problems.push(`${chTls.join(', ')} apply to TLS only: MCP_AUDIT_CLICKHOUSE_URL must start with https://`);
  if (!e.MCP_AUDIT_CLICKHOUSE_TLS_CERT_FILE !== !e.MCP_AUDIT_CLICKHOUSE_TLS_KEY_FILE) problems.push('MCP_AUDIT_CLICKHOUSE_TLS_CERT_FILE and MCP_AUDIT_CLICKHOUSE_TLS_KEY_FILE go together: set both or neither');
  if (e.MCP_AUDIT_API_CLICKHOUSE_PASSWORD && !e.MCP_AUDIT_API_CLICKHOUSE_USER) problems.push('MCP_AUDIT_API_CLICKHOUSE_PASSWORD is set without MCP_AUDIT_API_CLICKHOUSE_USER');
  return problems;
}

/** The settings MCP_AUDIT_NAME_PREFIX applies to: topics and consumer groups. */
const PREFIXED = /^MCP_AUDIT_(?:TOPIC_[A-Z_]+|[A-Z_]+_GROUP_ID)$/;

/** The parts of the shaped config made of several settings, each by the settings whose `path` names it. */
const composites = {
  'kafka.sasl': (e: Env) =>
    e.MCP_AUDIT_KAFKA_SASL_MECHANISM === 'none'
      ? undefined
      : { mechanism: e.MCP_AUDIT_KAFKA_SASL_MECHANISM, username: e.MCP_AUDIT_KAFKA_SASL_USERNAME, password: e.MCP_AUDIT_KAFKA_SASL_PASSWORD },
  'kafka.tls': (e: Env) =>
    e.MCP_AUDIT_KAFKA_TLS
      ? {
          caFile: projectPath(e.MCP_AUDIT_KAFKA_TLS_CA_FILE),
          certFile: projectPath(e.MCP_AUDIT_KAFKA_TLS_CERT_FILE),
          keyFile: projectPath(e.MCP_AUDIT_KAFKA_TLS_KEY_FILE),
          servername: e.MCP_AUDIT_KAFKA_TLS_SERVERNAME,
          rejectUnauthorized: e.MCP_AUDIT_KAFKA_TLS_REJECT_UNAUTHORIZED,
        }
      : undefined,
  /** The API's read-only ClickHouse user; undefined: it reads as the services' user. */
  'api.clickhouseReader': (e: Env) =>
    e.MCP_AUDIT_API_CLICKHOUSE_USER ? { username: e.MCP_AUDIT_API_CLICKHOUSE_USER, password: e.MCP_AUDIT_API_CLICKHOUSE_PASSWORD } : undefined,
};

/** The names of the composite parts, for the test that every setting lands somewhere. */
export const compositePaths: readonly string[] = Object.keys(composites);

/** The shaped configuration the services take, built from the settings' paths. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  return buildShaped(settings, parseEnv(env), composites);
}

export type Config = ReturnType<typeof loadConfig>;

// Compile-time checks: every `shape` takes what its schema gives, and the Kafka part is what the
// Kafka clients take.
type Expect<T extends true> = T;
export type ConfigChecks = [
  Expect<[ShapeMismatches<typeof settings>] extends [never] ? true : false>,
  Expect<Config['kafka'] extends KafkaConnection ? true : false>,
];
