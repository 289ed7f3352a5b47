// `npm run bench:ingest`: sustained events/s from Kafka into ClickHouse, ours against ClickHouse's own
// Kafka table engine, side by side in one run on the same topic (docs/architecture.md, How we measure).
//
//   1. stack up; a fresh database (migrated) and a fresh 6-partition topic, both named with a timestamp;
//   2. produce N valid v1 events of about 500 bytes (bench/bench.events.ts);
//   3. ours: `mcp-audit ingest` as a child process with its own consumer group, timed from spawn until
//      `SELECT count() FROM events` reaches N;
//   4. baseline: a Kafka engine table + materialized view into `events_kafka_engine` (same DDL), with
//      its own consumer group on the same, already produced topic, timed from CREATE until the count
//      reaches N (bench/kafka.engine.ts);
//   5. prints both rates and their ratio; the last line is one JSON object with the figures.
//
// The two consumers run one after the other, so each has the machine to itself. Progress goes to
// stderr, results to stdout. Settings of the ingest service can be changed through the usual
// MCP_AUDIT_* variables (e.g. MCP_AUDIT_INGEST_BATCH_ROWS); topic, database and group are the bench's.
import { spawn, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Partitioners, type Admin, type Producer } from 'kafkajs';
import { createClickHouse, type ClickHouseClient } from '../core/clickhouse.ts';
import { loadConfig } from '../core/config.ts';
import { createKafka } from '../core/kafka.ts';
import { createLogger } from '../core/logger.ts';
import { ident, qualified, sql } from '../core/sql.ts';
import { migrate } from '../migrations/migrate.ts';
import { auditEventV1 } from '../schemas/event.v1.ts';
import { createTopics, stackUp } from '../stack/stack.ts';
import { makeBenchMessages, type BenchMessage } from './bench.events.ts';
import { createKafkaEngine, dropKafkaEngine } from './kafka.engine.ts';

const HELP = `Usage: npm run bench:ingest -- [options]

Measures ingest from Kafka into ClickHouse: ours (mcp-audit ingest) and ClickHouse's Kafka engine
with a materialized view, one after the other on the same topic, and prints both rates and the ratio.
The last line of output is one JSON object with the figures.

Options:
  --events N             events to produce and ingest (default 1000000)
  --partitions N         partitions of the bench topic (default 6)
  --kafka-consumers N    kafka_num_consumers of the Kafka engine table (default 2: one per core here)
  --kafka-block-size N   kafka_max_block_size of the Kafka engine table (default 65536, i.e. max_block_size)
  --only ours|kafka-engine  run just one side (for profiling; no ratio)
  --timeout S            give up on a side after S seconds (default 900)
  --keep                 keep the bench database and topic afterwards
  --help                 this text

Environment: the MCP_AUDIT_* variables of the services (Kafka brokers, ClickHouse URL and user,
ingest tuning such as MCP_AUDIT_INGEST_BATCH_ROWS); see README.md.`;

const BIN = fileURLToPath(new URL('../bin/mcp-audit.js', import.meta.url));
const PROGRESS_MS = 2_000;
const POLL_MS = 200;

interface Options {
  events: number;
  partitions: number;
  kafkaConsumers: number;
  kafkaBlockSize: number;
  only: 'ours' | 'kafka-engine' | undefined;
  timeoutMs: number;
  keep: boolean;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      events: { type: 'string', default: '1000000' },
      partitions: { type: 'string', default: '6' },
      'kafka-consumers': { type: 'string', default: '2' },
      'kafka-block-size': { type: 'string', default: '65536' },
      only: { type: 'string' },
      timeout: { type: 'string', default: '900' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    process.exit(0);
  }
  const positive = (name: string, v: string, max: number) => {
    const n = Number(v.replaceAll('_', ''));
    if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`--${name} must be an integer from 1 to ${max}, got ${JSON.stringify(v)}`);
    return n;
  };
  if (values.only !== undefined && values.only !== 'ours' && values.only !== 'kafka-engine') {
    throw new Error(`--only must be "ours" or "kafka-engine", got ${JSON.stringify(values.only)}`);
  }
  return {
    events: positive('events', values.events, 50_000_000),
    partitions: positive('partitions', values.partitions, 1000),
    kafkaConsumers: positive('kafka-consumers', values['kafka-consumers'], 64),
    kafkaBlockSize: positive('kafka-block-size', values['kafka-block-size'], 10_000_000),
    only: values.only as Options['only'],
    timeoutMs: positive('timeout', values.timeout, 86_400) * 1000,
    keep: values.keep,
  };
}

const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function count(ch: ClickHouseClient, database: string, table: string): Promise<number> {
  const rs = await ch.query({ query: sql`SELECT count() AS n FROM ${qualified(database, table)}`.text, format: 'JSONEachRow' });
  const [row] = await rs.json<{ n: string }>();
  return Number(row?.n ?? 0);
}

/** Polls the row count until it reaches `n`; returns seconds since `startedAt` at that moment. */
async function waitForRows(
  ch: ClickHouseClient,
  database: string,
  table: string,
  n: number,
  label: string,
  startedAt: number,
  timeoutMs: number,
  alive: () => string | null = () => null,
): Promise<number> {
  let lastReport = startedAt;
  let lastRows = 0;
  for (;;) {
    const rows = await count(ch, database, table);
    const now = performance.now();
    if (rows >= n) return (now - startedAt) / 1000;
    const dead = alive();
    if (dead) throw new Error(`${label}: ${dead}`);
    if (now - startedAt > timeoutMs) throw new Error(`${label}: only ${fmt(rows)} of ${fmt(n)} rows after ${timeoutMs / 1000} s`);
    if (now - lastReport >= PROGRESS_MS) {
      const rate = ((rows - lastRows) * 1000) / (now - lastReport);
      progress(`${label}: ${fmt(rows)} / ${fmt(n)} rows, ${fmt(rate)} rows/s now, ${((now - startedAt) / 1000).toFixed(1)} s`);
      lastReport = now;
      lastRows = rows;
    }
    await sleep(POLL_MS);
  }
}

/** Produces pre-serialized messages in batches, several sends in flight (ordering per key is not needed here). */
async function produce(producer: Producer, topic: string, messages: BenchMessage[]): Promise<number> {
  const BATCH = 4_000;
  const IN_FLIGHT = 6;
  const started = performance.now();
  let next = 0;
  let sent = 0;
  let lastReport = started;
  const worker = async () => {
    while (next < messages.length) {
      const from = next;
      const to = Math.min(messages.length, from + BATCH);
      next = to;
      await producer.send({ topic, acks: -1, messages: messages.slice(from, to) });
      // `next` has moved on while this send was awaited; count this send's own messages.
      sent += to - from;
      const now = performance.now();
      if (now - lastReport >= PROGRESS_MS) {
        lastReport = now;
        progress(`producing: ${fmt(sent)} / ${fmt(messages.length)} sent, ${fmt((sent * 1000) / (now - started))} msg/s`);
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return (performance.now() - started) / 1000;
}

function spawnIngest(env: Record<string, string>): { proc: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, [BIN, 'ingest'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString()).slice(-8_000);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, output: () => out, exited };
}

async function stopChild(child: ReturnType<typeof spawnIngest>): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  child.proc.kill('SIGTERM');
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), 40_000);
  await child.exited;
  clearTimeout(timer);
}

/** Waits until ClickHouse runs no merges in `database` (at most `maxMs`), so the next side starts on a quiet server. */
async function waitForMerges(ch: ClickHouseClient, database: string, maxMs: number): Promise<void> {
  const until = performance.now() + maxMs;
  while (performance.now() < until) {
    const rs = await ch.query({ query: sql`SELECT count() AS n FROM system.merges WHERE database = ${database}`.text, format: 'JSONEachRow' });
    const [row] = await rs.json<{ n: string }>();
    if (Number(row?.n ?? 0) === 0) return;
    await sleep(500);
  }
}

/**
 * An order-independent fingerprint of every column both sides fill the same way (all but the Kafka
 * partition/offset, which 18.16's engine cannot know, and the ingest time); equal sums mean equal rows.
 */
async function fingerprint(ch: ClickHouseClient, database: string, table: string): Promise<{ rows: number; distinct: number; hash: string }> {
  const rs = await ch.query({
    query: sql`SELECT count() AS rows, uniqExact(event_id) AS distinct, toString(sum(cityHash64(
        event_id, schema_version, ts, ts_ms, tenant_id, kind, mcp_method, mcp_session_id, mcp_protocol_version, mcp_request_id,
        user_id, agent_id, client_name, client_version, source_address, server_name, server_version, server_transport,
        server_fingerprint, tool_name, tool_call_id, tool_class, tool_class_inferred, args_preview, args_sha256, args_size,
        resource_paths, resource_urls, resource_hosts, resource_recipients, resource_tables, result_status, result_error_type,
        result_size, result_sha256, duration_ms, listed_tool_names, listed_tool_descriptions, listed_tool_description_sha256,
        trace_id, span_id, kafka_topic))) AS hash
      FROM ${qualified(database, table)}`.text,
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ rows: string; distinct: string; hash: string }>();
  return { rows: Number(row!.rows), distinct: Number(row!.distinct), hash: row!.hash };
}

async function main(): Promise<string> {
  const opts = parseOptions(process.argv.slice(2));
  const config = loadConfig(process.env);
  const log = createLogger(process.env.MCP_AUDIT_LOG_LEVEL ? config.logLevel : 'warn', 'bench');
  const suffix = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const database = `bench_ingest_${suffix}`;
  const topic = `bench.ingest.${suffix}`;
  const dlqTopic = `${topic}.dlq`;
  const ingestGroup = `${topic}.ingest`;
  const engineGroup = `${topic}.kafka-engine`;
  const engine = {
    database,
    kafkaTable: 'events_kafka_queue',
    view: 'events_kafka_mv',
    target: 'events_kafka_engine',
    brokers: config.kafka.brokers,
    topic,
    group: engineGroup,
    consumers: Math.min(opts.kafkaConsumers, opts.partitions),
    maxBlockSize: opts.kafkaBlockSize,
  };

  progress('bringing the stack up');
  await stackUp(config, log);
  const ch = createClickHouse({ ...config.clickhouse, database: null });
  const kafka = createKafka({ brokers: config.kafka.brokers, clientId: 'mcp-audit-bench' }, log);
  let admin: Admin | null = null;
  let child: ReturnType<typeof spawnIngest> | null = null;
  let engineCreated = false;
  try {
    await createTopics(config.kafka.brokers, [{ name: topic, partitions: opts.partitions }, { name: dlqTopic, partitions: 1 }], log);
    await migrate(ch, database, log);
    progress(`database ${database}, topic ${topic} (${opts.partitions} partitions)`);

    // --- produce -------------------------------------------------------------------------------
    progress(`generating ${fmt(opts.events)} events`);
    let invalid = 0;
    const messages = makeBenchMessages(opts.events, { startMs: Date.now() - opts.events * 2 }, (e, i) => {
      // A sample is validated with the real schema so the bench can never measure the DLQ path.
      if (i % 1000 === 0 && !auditEventV1.safeParse(e).success) invalid++;
    });
    if (invalid > 0) throw new Error(`${invalid} generated bench events failed schema validation`);
    const totalBytes = messages.reduce((s, m) => s + m.value.length, 0);
    const avgBytes = totalBytes / messages.length;
    progress(`average event ${avgBytes.toFixed(0)} bytes of JSON, ${(totalBytes / 1024 / 1024).toFixed(0)} MiB in all`);
    const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const produceSeconds = await produce(producer, topic, messages);
    await producer.disconnect();
    messages.length = 0;
    progress(`produced ${fmt(opts.events)} events in ${produceSeconds.toFixed(1)} s (${fmt(opts.events / produceSeconds)} msg/s)`);

    // --- ours ------------------------------------------------------------------------------------
    let ours: number | undefined;
    if (opts.only !== 'kafka-engine') {
      progress('ours: starting mcp-audit ingest');
      const started = performance.now();
      child = spawnIngest({
        MCP_AUDIT_TOPIC_EVENTS: topic,
        MCP_AUDIT_TOPIC_EVENTS_DLQ: dlqTopic,
        MCP_AUDIT_CLICKHOUSE_DATABASE: database,
        MCP_AUDIT_INGEST_GROUP_ID: ingestGroup,
        MCP_AUDIT_INGEST_HEALTH_PORT: '0',
        MCP_AUDIT_STACK_EVENTS_PARTITIONS: String(opts.partitions),
        MCP_AUDIT_LOG_LEVEL: process.env.MCP_AUDIT_LOG_LEVEL || 'warn',
      });
      const c = child;
      const seconds = await waitForRows(ch, database, 'events', opts.events, 'ours', started, opts.timeoutMs, () =>
        c.proc.exitCode !== null ? `ingest exited with code ${c.proc.exitCode}:\n${c.output()}` : null,
      );
      ours = opts.events / seconds;
      progress(`ours: ${fmt(opts.events)} rows in ${seconds.toFixed(2)} s = ${fmt(ours)} events/s`);
      await stopChild(child);
      child = null;
      await waitForMerges(ch, database, 60_000);
    }

    // --- ClickHouse Kafka engine -------------------------------------------------------------------
    let baseline: number | undefined;
    if (opts.only !== 'ours') {
      // 18.16's Kafka engine starts a new group at the end of the topic (librdkafka's default
      // auto.offset.reset); the table has no setting for it, so the group's offsets are set to the
      // start of each partition first, as an operator would do for a backfill.
      admin = kafka.admin();
      await admin.connect();
      const low = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({ groupId: engineGroup, topic, partitions: low.map((p) => ({ partition: p.partition, offset: p.low })) });
      progress(`kafka engine: creating the Kafka table and view (kafka_num_consumers=${engine.consumers}, kafka_max_block_size=${engine.maxBlockSize})`);
      await ch.command({ query: sql`CREATE TABLE IF NOT EXISTS ${qualified(database, engine.target)} AS ${qualified(database, 'events')}`.text });
      const started = performance.now();
      engineCreated = true;
      await createKafkaEngine(ch, engine);
      const seconds = await waitForRows(ch, database, engine.target, opts.events, 'kafka engine', started, opts.timeoutMs);
      baseline = opts.events / seconds;
      progress(`kafka engine: ${fmt(opts.events)} rows in ${seconds.toFixed(2)} s = ${fmt(baseline)} events/s`);
      await dropKafkaEngine(ch, engine);
      engineCreated = false;
    }

    // --- same rows? ------------------------------------------------------------------------------
    if (ours !== undefined && baseline !== undefined) {
      const [a, b] = [await fingerprint(ch, database, 'events'), await fingerprint(ch, database, engine.target)];
      const same = a.hash === b.hash && a.rows === b.rows;
      progress(`check: ours ${fmt(a.distinct)} distinct events in ${fmt(a.rows)} rows; kafka engine ${fmt(b.distinct)} in ${fmt(b.rows)}; ` +
        `column fingerprints ${same ? 'equal' : 'DIFFER'}`);
      if (a.distinct !== opts.events || b.distinct !== opts.events) throw new Error('a side lost or invented events');
    }

    const ratio = ours !== undefined && baseline !== undefined ? ours / baseline : null;
    const round = (x: number | undefined) => (x === undefined ? null : Math.round(x));
    // Printed by the caller after the clean-up, so the JSON object is the very last line.
    return (
      [
        `events:                ${fmt(opts.events)} (avg ${avgBytes.toFixed(0)} bytes, ${opts.partitions} partitions)`,
        `ours (mcp-audit ingest): ${ours === undefined ? '-' : `${fmt(ours)} events/s`}`,
        `ClickHouse Kafka engine: ${baseline === undefined ? '-' : `${fmt(baseline)} events/s`} (kafka_num_consumers=${engine.consumers}, kafka_max_block_size=${engine.maxBlockSize})`,
        `ratio ours / engine:     ${ratio === null ? '-' : ratio.toFixed(2)}`,
        JSON.stringify({
          bench: 'ingest',
          events: opts.events,
          avg_event_bytes: Math.round(avgBytes),
          events_per_s: round(ours),
          kafka_engine_events_per_s: round(baseline),
          ratio: ratio === null ? null : Math.round(ratio * 100) / 100,
        }),
      ].join('\n') + '\n'
    );
  } finally {
    if (child) await stopChild(child);
    if (engineCreated) await dropKafkaEngine(ch, engine).catch((err: unknown) => progress(`could not drop the Kafka engine table: ${String(err)}`));
    if (!opts.keep) {
      progress('dropping the bench database and topics (--keep keeps them)');
      await ch.command({ query: sql`DROP DATABASE IF EXISTS ${ident(database)}`.text }).catch((err: unknown) => progress(`drop database: ${String(err)}`));
      admin ??= kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [topic, dlqTopic] }).catch((err: unknown) => progress(`delete topics: ${String(err)}`));
      await admin.deleteGroups([ingestGroup, engineGroup]).catch(() => {});
    } else {
      progress(`kept database ${database} and topic ${topic}`);
    }
    await admin?.disconnect();
    await ch.close();
  }
}

// kafkajs 2.2.4 schedules timers with negative delays, which Node 24 warns about on every run (as in
// bin/mcp-audit.js); Node clamps them to 1 ms as kafkajs expects. Other warnings still print.
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name !== 'TimeoutNegativeWarning') process.stderr.write(`${w.name}: ${w.message}\n`);
});

main().then(
  (report) => {
    process.stdout.write(report);
    process.exit(0);
  },
  (err: unknown) => {
    progress(`failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
