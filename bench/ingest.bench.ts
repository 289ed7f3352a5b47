// `npm run bench:ingest`: sustained events/s from Kafka into ClickHouse, ours against ClickHouse's own
// Kafka table engine, side by side in one run on the same topic (DESIGN.md §7, How we measure).
//
//   1. stack up; a fresh 6-partition topic named with a timestamp; N valid v1 events of about 500
//      bytes produced once (bench/bench.events.ts);
//   2. rounds, interleaved ours, engine, ours, engine, … (--rounds, default 2), each with a fresh
//      database (migrated) and fresh consumer groups, reading the same, already produced topic:
//      ours: `mcp-audit ingest` as a child process, timed from spawn until `SELECT count() FROM events`
//      reaches N; baseline: a Kafka engine table + materialized view into `events_kafka_engine` (same
//      DDL), timed from CREATE until the count reaches N (bench/kafka.engine.ts);
//   3. a side whose row count does not grow for --stall seconds is stopped and reported with the rows
//      it reached (never waiting out the whole --timeout); rows missing or duplicated on either side
//      are printed as findings, with a few of the missing event ids;
//   4. after each round the column fingerprints of the two tables are compared;
//   5. per side and round: wall seconds, CPU seconds of ingest (the process and its workers), the
//      broker and ClickHouse, events per wall second and per CPU-second; per-round figures and the
//      median over rounds; load before and after with warnings (bench/lib/). The last line is one
//      JSON object with the figures.
//
// The two consumers never run at the same time. Progress goes to stderr, results to stdout. Settings
// of the ingest service can be changed through the usual MCP_AUDIT_* variables (e.g.
// MCP_AUDIT_INGEST_BATCH_ROWS); topic, database and group are the bench's.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Partitioners, type Admin } from 'kafkajs';
import { createClickHouse, type ClickHouseClient } from '../core/clickhouse.ts';
import { loadConfig } from '../core/config.ts';
import { createKafka } from '../core/kafka.ts';
import { createLogger } from '../core/logger.ts';
import { ident, qualified, raw, sql } from '../core/sql.ts';
import { migrate } from '../migrations/migrate.ts';
import { auditEventV1 } from '../schemas/event.v1.ts';
import { createTopics, stackUp } from '../stack/stack.ts';
import { makeBenchMessages } from './bench.events.ts';
import { createKafkaEngine, dropKafkaEngine, type KafkaEngineOptions } from './kafka.engine.ts';
import { beginBench, toStderr, type BenchRun } from './lib/bench.run.ts';
import { CpuMeter, type CpuWindow } from './lib/cpu.meter.ts';
import { produceAll } from './lib/produce.ts';
import { runInterleaved } from './lib/interleave.ts';
import { StallWatch, type Progress } from './lib/stall.ts';
import { stackRoles } from './lib/stack.roles.ts';
import { median } from './lib/stats.ts';

const HELP = `Usage: npm run bench:ingest -- [options]

Measures ingest from Kafka into ClickHouse: ours (mcp-audit ingest) and ClickHouse's Kafka engine
with a materialized view, interleaved (ours, engine, ours, engine, ...) on the same topic with fresh
tables and consumer groups per round, and prints per-round and median rates (per wall second and per
CPU-second) and their ratio. The last line of output is one JSON object with the figures.

Options:
  --events N             events to produce and ingest (default 1000000)
  --partitions N         partitions of the bench topic (default 6)
  --kafka-consumers N    kafka_num_consumers of the Kafka engine table (default 2: one per core here)
  --kafka-block-size N   kafka_max_block_size of the Kafka engine table (default 65536, i.e. max_block_size)
  --rounds N             rounds of ours then engine (default 2)
  --only ours|kafka-engine  run just one side (for profiling; no ratio)
  --stall S              stop a side whose row count has not grown for S seconds (default 30)
  --timeout S            stop a side after S seconds in all (default 900)
  --keep                 keep the bench database and topic afterwards
  --cpu-prof DIR         write V8 CPU profiles of ours (the ingest primary and each worker) into DIR
  --node-flag FLAG       pass FLAG to node for ours, primary and workers alike (repeatable), e.g.
                         --node-flag=--trace-gc with --ingest-log to see each worker's collections
  --ingest-log FILE      append ours' log lines to FILE, each after the round and the milliseconds
                         since its spawn (info level here unless MCP_AUDIT_LOG_LEVEL says otherwise):
                         when the workers joined, and each rebalance
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
  rounds: number;
  only: 'ours' | 'kafka-engine' | undefined;
  stallMs: number;
  timeoutMs: number;
  keep: boolean;
  cpuProfDir: string | undefined;
  nodeFlags: string[];
  ingestLog: string | undefined;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      events: { type: 'string', default: '1000000' },
      partitions: { type: 'string', default: '6' },
      'kafka-consumers': { type: 'string', default: '2' },
      'kafka-block-size': { type: 'string', default: '65536' },
      rounds: { type: 'string', default: '2' },
      only: { type: 'string' },
      stall: { type: 'string', default: '30' },
      timeout: { type: 'string', default: '900' },
      keep: { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
      'node-flag': { type: 'string', multiple: true },
      'ingest-log': { type: 'string' },
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
    rounds: positive('rounds', values.rounds, 100),
    only: values.only as Options['only'],
    stallMs: positive('stall', values.stall, 86_400) * 1000,
    timeoutMs: positive('timeout', values.timeout, 86_400) * 1000,
    keep: values.keep,
    cpuProfDir: values['cpu-prof'],
    nodeFlags: values['node-flag'] ?? [],
    ingestLog: values['ingest-log'],
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

/**
 * How far a side is: its row count, or once that reaches `n`, its distinct events. At-least-once
 * delivery writes an event twice when a rebalance hands a partition over before its offsets were
 * committed (ours starts two workers that join one group), so count() = N does not yet mean all N.
 */
async function completeness(ch: ClickHouseClient, database: string, table: string, n: number): Promise<number> {
  const rows = await count(ch, database, table);
  if (rows < n) return rows;
  const rs = await ch.query({ query: sql`SELECT uniqExact(event_id) AS n FROM ${qualified(database, table)}`.text, format: 'JSONEachRow' });
  const [row] = await rs.json<{ n: string }>();
  return Number(row?.n ?? 0);
}

/**
 * Polls the side's completeness until it reaches `n` distinct events, stalls (no growth for the stall time) or times out, or
 * `alive` reports the side dead; never throws for a side that fell short: that is a finding.
 */
async function waitForRows(
  ch: ClickHouseClient,
  database: string,
  table: string,
  n: number,
  label: string,
  startedAt: number,
  opts: Pick<Options, 'stallMs' | 'timeoutMs'>,
  alive: () => string | null = () => null,
): Promise<Progress | { state: 'exited'; rows: number; lastGrowthMs: number; why: string }> {
  const watch = new StallWatch({ target: n, stallMs: opts.stallMs, timeoutMs: opts.timeoutMs, startMs: startedAt });
  let lastReport = startedAt;
  let lastRows = 0;
  let prevRows = 0;
  let lastGrowth = startedAt;
  for (;;) {
    const rows = await completeness(ch, database, table, n);
    const now = performance.now();
    if (rows > prevRows) lastGrowth = now;
    prevRows = rows;
    const p = watch.observe(rows, now);
    if (p.state !== 'running') return p;
    const dead = alive();
    if (dead) return { state: 'exited', rows, lastGrowthMs: lastGrowth, why: dead };
    if (now - lastReport >= PROGRESS_MS) {
      const rate = ((rows - lastRows) * 1000) / (now - lastReport);
      progress(`${label}: ${fmt(rows)} / ${fmt(n)} rows, ${fmt(rate)} rows/s now, ${((now - startedAt) / 1000).toFixed(1)} s`);
      lastReport = now;
      lastRows = rows;
    }
    await sleep(POLL_MS);
  }
}

function spawnIngest(env: Record<string, string>, opts: Options, round: number): { proc: ChildProcess; output: () => string; exited: Promise<number | null> } {
  // --cpu-prof, --trace-gc and the like are refused in NODE_OPTIONS; as node flags the forked
  // workers inherit them (execArgv).
  const nodeArgs = [...(opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : []), ...opts.nodeFlags];
  const proc = spawn(process.execPath, [...nodeArgs, BIN, 'ingest'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const spawnedAt = performance.now();
  let out = '';
  /** The end of the last chunk when it stopped inside a line (a chunk may end anywhere). */
  let partial = '';
  const keep = (b: Buffer) => {
    const text = b.toString();
    out = (out + text).slice(-8_000);
    if (!opts.ingestLog) return;
    const lines = (partial + text).split('\n');
    partial = lines.pop()!;
    const at = `round ${round} +${Math.round(performance.now() - spawnedAt)} ms`;
    appendFileSync(opts.ingestLog, lines.map((l) => `${at} ${l}\n`).join(''));
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
 * Every column both sides fill the same way: all but the Kafka partition/offset, which 18.16's engine
 * cannot know, the ingest time, and the capability class (tool_class, tool_class_inferred), which
 * ours adds by classifying each event and the engine cannot.
 */
const FINGERPRINT_COLUMNS = [
  'event_id', 'schema_version', 'ts', 'ts_ms', 'tenant_id', 'kind', 'mcp_method', 'mcp_session_id', 'mcp_protocol_version', 'mcp_request_id',
  'user_id', 'agent_id', 'client_name', 'client_version', 'source_address', 'server_name', 'server_version', 'server_transport',
  'server_fingerprint', 'tool_name', 'tool_call_id', 'args_preview', 'args_sha256', 'args_size',
  'resource_paths', 'resource_urls', 'resource_hosts', 'resource_recipients', 'resource_tables', 'result_status', 'result_error_type',
  'result_size', 'result_sha256', 'duration_ms', 'listed_tool_names', 'listed_tool_descriptions', 'listed_tool_description_sha256',
  'trace_id', 'span_id', 'kafka_topic', 'hash_key_id', 'args_hmac', 'args_keys', 'args_secrets', 'args_truncated', 'result_hmac',
  'result_secrets', 'result_truncated', 'fp_args', 'fp_result', 'fp_destinations', 'episode_id', 'episode_basis', 'conversation_id',
  'listed_tool_input_keys',
] as const;

/**
 * An order-independent fingerprint per column (the sum of its values' cityHash64): equal sums in
 * every column mean equal rows, and a difference names the column. With `commonWith`, only events the
 * other table holds too count, so a side that lost a few events still has its columns compared.
 */
async function fingerprint(ch: ClickHouseClient, database: string, table: string, commonWith?: string): Promise<{ rows: number; distinct: number; columns: Record<string, string> }> {
  const rs0 = await ch.query({ query: sql`SELECT count() AS rows, uniqExact(event_id) AS distinct FROM ${qualified(database, table)}`.text, format: 'JSONEachRow' });
  const [counts] = await rs0.json<{ rows: string; distinct: string }>();
  // Aliased apart from the columns: 18.16 resolves an alias that equals a column name in WHERE too.
  const sums = FINGERPRINT_COLUMNS.map((c) => `toString(sum(cityHash64(${c}))) AS h_${c}`).join(', ');
  const common = commonWith === undefined ? sql`` : sql`WHERE event_id IN (SELECT event_id FROM ${qualified(database, commonWith)})`;
  const rs = await ch.query({
    // FINAL: a redelivered event is the same row (ReplacingMergeTree on the same key), counted once
    // here. Column names are the constants above, not input.
    query: sql`SELECT ${raw(sums)} FROM ${qualified(database, table)} FINAL ${common}`.text,
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<Record<string, string>>();
  const columns = Object.fromEntries(FINGERPRINT_COLUMNS.map((c) => [c, row![`h_${c}`]!]));
  return { rows: Number(counts!.rows), distinct: Number(counts!.distinct), columns };
}

type SideName = 'ours' | 'kafka_engine';

interface SideResult {
  /** complete: all N rows; stalled: no growth for --stall; timed-out: --timeout; exited: ingest died. */
  state: 'complete' | 'stalled' | 'timed-out' | 'exited';
  rows: number;
  /** To the moment the count reached N, or, for a side that fell short, to its last growth. */
  seconds: number;
  events_per_s: number;
  /** CPU seconds of the processes doing the side's work: ingest (with its workers), broker, ClickHouse. */
  pipeline_cpu_s: number;
  events_per_cpu_s: number;
  cpu: CpuWindow;
  why?: string;
}

interface RoundCheck {
  rows: Partial<Record<SideName, number>>;
  distinct: Partial<Record<SideName, number>>;
  missing: Partial<Record<SideName, number>>;
  duplicates: Partial<Record<SideName, number>>;
  /** A few event ids one side has and the other lacks (with ours' partition and offset where known). */
  missing_examples: Partial<Record<SideName, string[]>>;
  fingerprints_equal: boolean | null;
  /** Columns whose fingerprints differ between the sides, over the events both hold. */
  differing_columns: string[];
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const FIRST_MISSING = 5;

function sideResult(p: Awaited<ReturnType<typeof waitForRows>>, startedAt: number, cpu: CpuWindow): SideResult {
  const endMs = p.state === 'complete' ? p.atMs : p.state === 'running' ? performance.now() : p.lastGrowthMs;
  const seconds = Math.max(0.001, (endMs - startedAt) / 1000);
  const pipeline = Object.entries(cpu.cpu_s).reduce((s, [name, x]) => (name === 'bench' ? s : s + x), 0);
  return {
    state: p.state === 'running' ? 'timed-out' : p.state,
    rows: p.rows,
    seconds: Math.round(seconds * 1000) / 1000,
    events_per_s: Math.round(p.rows / seconds),
    pipeline_cpu_s: round2(pipeline),
    events_per_cpu_s: pipeline > 0 ? Math.round(p.rows / pipeline) : 0,
    cpu,
    ...(p.state === 'exited' ? { why: p.why } : {}),
  };
}

function describeSide(label: string, n: number, r: SideResult): string {
  const cpu = Object.entries(r.cpu.cpu_s).filter(([name]) => name !== 'bench').map(([name, s]) => `${name} ${s.toFixed(1)}`).join(', ');
  const state = r.state === 'complete' ? '' : ` — ${r.state.toUpperCase()} (rate over the rows it inserted, to its last growth)`;
  return `${label}: ${fmt(r.rows)} / ${fmt(n)} rows in ${r.seconds.toFixed(2)} s = ${fmt(r.events_per_s)} ev/s; CPU-s ${cpu} (pipeline ${r.pipeline_cpu_s.toFixed(1)}) = ${fmt(r.events_per_cpu_s)} ev per CPU-s${state}`;
}

async function missingExamples(ch: ClickHouseClient, database: string, from: string, notIn: string, withPosition: boolean): Promise<string[]> {
  const cols = withPosition ? sql`event_id, kafka_partition, kafka_offset` : sql`event_id`;
  const rs = await ch.query({
    query: sql`SELECT ${cols} FROM ${qualified(database, from)} WHERE event_id NOT IN (SELECT event_id FROM ${qualified(database, notIn)}) LIMIT ${FIRST_MISSING}`.text,
    format: 'JSONEachRow',
  });
  const rows = await rs.json<{ event_id: string; kafka_partition?: number; kafka_offset?: string }>();
  return rows.map((r) => (withPosition ? `${r.event_id} (partition ${r.kafka_partition}, offset ${r.kafka_offset})` : r.event_id));
}

/** Rows, distinct events, missing and duplicated ones per side, and the column fingerprints, for one round. */
async function checkRound(ch: ClickHouseClient, database: string, n: number, sides: SideName[]): Promise<RoundCheck> {
  const table: Record<SideName, string> = { ours: 'events', kafka_engine: ENGINE_TABLE };
  const check: RoundCheck = { rows: {}, distinct: {}, missing: {}, duplicates: {}, missing_examples: {}, fingerprints_equal: null, differing_columns: [] };
  const prints: Partial<Record<SideName, Record<string, string>>> = {};
  const other = (side: SideName) => (sides.length === 2 ? table[side === 'ours' ? 'kafka_engine' : 'ours'] : undefined);
  for (const side of sides) {
    const f = await fingerprint(ch, database, table[side], other(side));
    check.rows[side] = f.rows;
    check.distinct[side] = f.distinct;
    check.missing[side] = n - f.distinct;
    check.duplicates[side] = f.rows - f.distinct;
    prints[side] = f.columns;
  }
  if (sides.length === 2) {
    check.differing_columns = FINGERPRINT_COLUMNS.filter((c) => prints.ours![c] !== prints.kafka_engine![c]);
    check.fingerprints_equal = check.differing_columns.length === 0;
    // Which events one side lacks, named from the other (ours knows each event's partition and offset).
    if (check.distinct.kafka_engine! < check.distinct.ours!) check.missing_examples.kafka_engine = await missingExamples(ch, database, 'events', ENGINE_TABLE, true);
    if (check.distinct.ours! < check.distinct.kafka_engine!) check.missing_examples.ours = await missingExamples(ch, database, ENGINE_TABLE, 'events', false);
  }
  return check;
}

const ENGINE_TABLE = 'events_kafka_engine';

async function main(): Promise<string> {
  const opts = parseOptions(process.argv.slice(2));
  const config = loadConfig(process.env);
  const log = createLogger(process.env.MCP_AUDIT_LOG_LEVEL ? config.logLevel : 'warn', 'bench');
  const suffix = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const topic = `bench.ingest.${suffix}`;
  const dlqTopic = `${topic}.dlq`;
  const report: string[] = [];
  const run: BenchRun = beginBench('bench:ingest', (line) => {
    report.push(line);
    toStderr(`[bench] ${line}`);
  });
  const roundOf = (r: number) => {
    const database = `bench_ingest_${suffix}_r${r + 1}`;
    const engine: KafkaEngineOptions = {
      database,
      kafkaTable: 'events_kafka_queue',
      view: 'events_kafka_mv',
      target: ENGINE_TABLE,
      brokers: config.kafka.brokers,
      topic,
      group: `${topic}.kafka-engine.r${r + 1}`,
      consumers: Math.min(opts.kafkaConsumers, opts.partitions),
      maxBlockSize: opts.kafkaBlockSize,
    };
    return { database, ingestGroup: `${topic}.ingest.r${r + 1}`, engine };
  };
  const rounds = Array.from({ length: opts.rounds }, (_, r) => roundOf(r));

  progress('bringing the stack up');
  await stackUp(config, log);
  const roles = stackRoles(config);
  const ch = createClickHouse({ ...config.clickhouse, database: null });
  const kafka = createKafka({ brokers: config.kafka.brokers, clientId: 'mcp-audit-bench' }, log);
  let admin: Admin | null = null;
  let child: ReturnType<typeof spawnIngest> | null = null;
  let liveEngine: KafkaEngineOptions | null = null;
  try {
    await createTopics(config.kafka.brokers, [{ name: topic, partitions: opts.partitions }, { name: dlqTopic, partitions: 1 }], log);
    for (const r of rounds) await migrate(ch, r.database, log);
    progress(`databases ${rounds.map((r) => r.database).join(', ')}; topic ${topic} (${opts.partitions} partitions)`);

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
    const produceSeconds = await produceAll(producer, topic, messages, progress);
    await producer.disconnect();
    messages.length = 0;
    progress(`produced ${fmt(opts.events)} events in ${produceSeconds.toFixed(1)} s (${fmt(opts.events / produceSeconds)} msg/s)`);
    admin = kafka.admin();
    await admin.connect();
    const low = await admin.fetchTopicOffsets(topic);

    // --- ours ------------------------------------------------------------------------------------
    const ours = async (r: number): Promise<SideResult> => {
      const { database, ingestGroup } = rounds[r]!;
      progress(`round ${r + 1}, ours: starting mcp-audit ingest`);
      let pid: number | undefined;
      const meter = new CpuMeter([{ name: 'ingest', pids: () => [pid], tree: true }, ...roles]).start();
      const started = performance.now();
      child = spawnIngest({
        MCP_AUDIT_TOPIC_EVENTS: topic,
        MCP_AUDIT_TOPIC_EVENTS_DLQ: dlqTopic,
        MCP_AUDIT_CLICKHOUSE_DATABASE: database,
        MCP_AUDIT_INGEST_GROUP_ID: ingestGroup,
        MCP_AUDIT_INGEST_HEALTH_PORT: '0',
        MCP_AUDIT_STACK_EVENTS_PARTITIONS: String(opts.partitions),
        MCP_AUDIT_LOG_LEVEL: process.env.MCP_AUDIT_LOG_LEVEL || (opts.ingestLog ? 'info' : 'warn'),
      }, opts, r + 1);
      pid = child.proc.pid;
      const c = child;
      const p = await waitForRows(ch, database, 'events', opts.events, `round ${r + 1}, ours`, started, opts, () =>
        c.proc.exitCode !== null ? `ingest exited with code ${c.proc.exitCode}:\n${c.output()}` : null,
      );
      const result = sideResult(p, started, meter.stop());
      await stopChild(child);
      child = null;
      await waitForMerges(ch, database, 60_000);
      return result;
    };

    // --- ClickHouse Kafka engine -------------------------------------------------------------------
    const engine = async (r: number): Promise<SideResult> => {
      const { database, engine: e } = rounds[r]!;
      // 18.16's Kafka engine starts a new group at the end of the topic (librdkafka's default
      // auto.offset.reset); the table has no setting for it, so the group's offsets are set to the
      // start of each partition first, as an operator would do for a backfill.
      await admin!.setOffsets({ groupId: e.group, topic, partitions: low.map((p) => ({ partition: p.partition, offset: p.low })) });
      progress(`round ${r + 1}, kafka engine: creating the Kafka table and view (kafka_num_consumers=${e.consumers}, kafka_max_block_size=${e.maxBlockSize})`);
      await ch.command({ query: sql`CREATE TABLE IF NOT EXISTS ${qualified(database, e.target)} AS ${qualified(database, 'events')}`.text });
      const meter = new CpuMeter(roles).start();
      const started = performance.now();
      liveEngine = e;
      await createKafkaEngine(ch, e);
      const p = await waitForRows(ch, database, e.target, opts.events, `round ${r + 1}, kafka engine`, started, opts);
      const result = sideResult(p, started, meter.stop());
      await dropKafkaEngine(ch, e);
      liveEngine = null;
      await waitForMerges(ch, database, 60_000);
      return result;
    };

    const sides: SideName[] = opts.only === 'ours' ? ['ours'] : opts.only === 'kafka-engine' ? ['kafka_engine'] : ['ours', 'kafka_engine'];
    const measured = await runInterleaved(sides.map((name) => ({ name, run: name === 'ours' ? ours : engine })), opts.rounds);

    // --- per round: rates, CPU, rows, fingerprints -----------------------------------------------------
    const perRound: ({ round: number; ratio: number | null; cpu_ratio: number | null; check: RoundCheck } & Partial<Record<SideName, SideResult>>)[] = [];
    const findings: string[] = [];
    for (const [r, results] of measured.rounds.entries()) {
      const check = await checkRound(ch, rounds[r]!.database, opts.events, sides);
      const label = (side: SideName) => `round ${r + 1}, ${side === 'ours' ? 'ours' : 'kafka engine'}`;
      for (const side of sides) {
        const s = results[side]!;
        run.window(label(side), s.cpu);
        report.push(describeSide(label(side), opts.events, s));
        if (s.state !== 'complete') {
          findings.push(`FINDING: ${label(side)} ${s.state} at ${fmt(s.rows)} of ${fmt(opts.events)} rows` +
            (s.state === 'stalled' ? ` (no growth for ${opts.stallMs / 1000} s)` : '') + (s.why ? `: ${s.why.split('\n')[0]}` : ''));
        }
        if (check.missing[side]) {
          findings.push(`FINDING: ${label(side)}: ${fmt(check.missing[side])} of ${fmt(opts.events)} events missing` +
            (check.missing_examples[side]?.length ? `, e.g. ${check.missing_examples[side].join(', ')}` : ''));
        }
        if (check.duplicates[side]) {
          findings.push(`note: ${label(side)}: ${fmt(check.duplicates[side])} rows written twice (at-least-once redelivery; the ReplacingMergeTree collapses them, FINAL and the fingerprints count them once)`);
        }
      }
      const o = results.ours;
      const k = results.kafka_engine;
      const ratio = o && k && k.events_per_s > 0 ? o.events_per_s / k.events_per_s : null;
      const cpuRatio = o && k && k.events_per_cpu_s > 0 ? o.events_per_cpu_s / k.events_per_cpu_s : null;
      if (sides.length === 2) {
        report.push(`round ${r + 1}: ratio ours / engine ${ratio === null ? '-' : ratio.toFixed(2)} per wall second, ${cpuRatio === null ? '-' : cpuRatio.toFixed(2)} per CPU-second; ` +
          `distinct events ours ${fmt(check.distinct.ours!)}, engine ${fmt(check.distinct.kafka_engine!)}; column fingerprints${check.distinct.ours === check.distinct.kafka_engine ? '' : ' (over the events both hold)'} ${check.fingerprints_equal ? 'equal' : `DIFFER in ${check.differing_columns.join(', ')}`}`);
      }
      perRound.push({ round: r + 1, ...results, ratio: ratio === null ? null : round2(ratio), cpu_ratio: cpuRatio === null ? null : round2(cpuRatio), check });
    }
    report.push(...findings);
    const frame = run.finish();

    const med = (side: SideName, key: 'events_per_s' | 'events_per_cpu_s') => {
      const xs = perRound.flatMap((r) => (r[side] ? [r[side][key]] : []));
      return xs.length ? Math.round(median(xs)) : null;
    };
    const medRatio = (key: 'ratio' | 'cpu_ratio') => {
      const xs = perRound.flatMap((r) => (r[key] === null ? [] : [r[key]]));
      return xs.length ? round2(median(xs)) : null;
    };
    const complete = perRound.every((r) => sides.every((s) => r[s]!.state === 'complete' && r.check.missing[s] === 0));
    const ratio = medRatio('ratio');
    const cpuRatio = medRatio('cpu_ratio');
    report.push(
      `events:                  ${fmt(opts.events)} (avg ${avgBytes.toFixed(0)} bytes, ${opts.partitions} partitions), ${opts.rounds} round(s)`,
      `ours (mcp-audit ingest): median ${med('ours', 'events_per_s') === null ? '-' : `${fmt(med('ours', 'events_per_s')!)} ev/s, ${fmt(med('ours', 'events_per_cpu_s')!)} ev per CPU-s`}`,
      `ClickHouse Kafka engine: median ${med('kafka_engine', 'events_per_s') === null ? '-' : `${fmt(med('kafka_engine', 'events_per_s')!)} ev/s, ${fmt(med('kafka_engine', 'events_per_cpu_s')!)} ev per CPU-s`} (kafka_num_consumers=${rounds[0]!.engine.consumers}, kafka_max_block_size=${opts.kafkaBlockSize})`,
      `ratio ours / engine:     median ${ratio === null ? '-' : ratio.toFixed(2)} per wall second, ${cpuRatio === null ? '-' : cpuRatio.toFixed(2)} per CPU-second` +
        (complete ? '' : ' (NOT every side completed: see the findings above)'),
    );
    // Printed by the caller after the clean-up, so the JSON object is the very last line.
    return (
      [
        ...report,
        JSON.stringify({
          bench: 'ingest',
          events: opts.events,
          avg_event_bytes: Math.round(avgBytes),
          rounds: opts.rounds,
          events_per_s: med('ours', 'events_per_s'),
          kafka_engine_events_per_s: med('kafka_engine', 'events_per_s'),
          ratio,
          events_per_cpu_s: med('ours', 'events_per_cpu_s'),
          kafka_engine_events_per_cpu_s: med('kafka_engine', 'events_per_cpu_s'),
          cpu_ratio: cpuRatio,
          complete,
          per_round: perRound,
          ...frame,
        }),
      ].join('\n') + '\n'
    );
  } finally {
    if (child) await stopChild(child);
    if (liveEngine) await dropKafkaEngine(ch, liveEngine).catch((err: unknown) => progress(`could not drop the Kafka engine table: ${String(err)}`));
    if (!opts.keep) {
      progress('dropping the bench databases and topics (--keep keeps them)');
      for (const r of rounds) {
        await ch.command({ query: sql`DROP DATABASE IF EXISTS ${ident(r.database)}`.text }).catch((err: unknown) => progress(`drop database: ${String(err)}`));
      }
      admin ??= kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [topic, dlqTopic] }).catch((err: unknown) => progress(`delete topics: ${String(err)}`));
      await admin.deleteGroups(rounds.flatMap((r) => [r.ingestGroup, r.engine.group])).catch(() => {});
    } else {
      progress(`kept databases ${rounds.map((r) => r.database).join(', ')} and topic ${topic}`);
    }
    await admin?.disconnect();
    await ch.close();
  }
}

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
