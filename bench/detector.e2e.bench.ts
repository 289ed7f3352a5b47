// Part (b) of `npm run bench:detector`: end-to-end latency from produce to alert on the alerts topic,
// on the real stack, with simulated traffic at a sustained rate (default 5,000 events/s).
//
// Ingest and the detector run as real child processes (`mcp-audit ingest`, `mcp-audit detector`) on
// topics and a database of their own; this process produces live simulated traffic with attack
// chains spread over the run and reads the alerts topic. For each alert the latency is the time
// from handing its last evidence event (the one that completed the match) to the producer, to the
// alert arriving here. Everything is torn down at the end (topics, database, processes).
//
//   node bench/detector.e2e.bench.ts [--rate 5000] [--seconds 60] [--chains 150]
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { quantileSorted } from 'simple-statistics';
import { createClickHouse } from '../core/clickhouse.ts';
import { loadConfig } from '../core/config.ts';
import { createKafka, idempotentProducerConfig } from '../core/kafka.ts';
import { createLogger } from '../core/logger.ts';
import { ident, sql } from '../core/sql.ts';
import { migrate } from '../migrations/migrate.ts';
import type { AlertV1 } from '../schemas/alert.v1.ts';
import { eventKey, type AuditEventV1 } from '../schemas/event.v1.ts';
import { chainTypes } from '../simulate/chains.ts';
import { LiveTraffic } from '../simulate/simulate.ts';
import { createTopics, stackTopics, stackUp } from '../stack/stack.ts';

export interface E2eBenchOptions {
  rate?: number;
  seconds?: number;
  chains?: number;
}

export interface E2eBenchResult {
  e2e_p50_ms: number;
  e2e_p99_ms: number;
  e2e_max_ms: number;
  alerts_timed: number;
  chains: number;
  target_rate: number;
  achieved_rate: number;
}

const BIN = fileURLToPath(new URL('../bin/mcp-audit.js', import.meta.url));
const say = (msg: string) => process.stderr.write(`${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** simple-statistics' quantile of sorted data (as bench:proxy uses), NaN when there is none. */
const quantile = (sorted: number[], q: number): number => (sorted.length === 0 ? NaN : Math.round(quantileSorted(sorted, q) * 10) / 10);

/** Starts `mcp-audit <command>` and resolves once a log line contains `readyText`. */
function startService(command: string, env: Record<string, string>, readyText: string): Promise<ChildProcess> {
  const proc = spawn(process.execPath, [BIN, command], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  return new Promise((resolve, reject) => {
    const onData = (b: Buffer) => {
      tail = (tail + b.toString()).slice(-4_000);
      if (tail.includes(readyText)) resolve(proc);
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.on('exit', (code) => reject(new Error(`${command} exited with ${code} before it was ready:\n${tail}`)));
  });
}

export async function runE2eBench(opts: E2eBenchOptions = {}): Promise<E2eBenchResult> {
  const rate = opts.rate ?? 5_000;
  const seconds = opts.seconds ?? 60;
  const chainCount = opts.chains ?? 150;
  const log = createLogger('warn', 'bench-detector-e2e');
  const suffix = `bench_e2e_${process.pid}`;
  const env: Record<string, string> = {
    MCP_AUDIT_CLICKHOUSE_DATABASE: suffix,
    MCP_AUDIT_TOPIC_EVENTS: `${suffix}.events`,
    MCP_AUDIT_TOPIC_EVENTS_DLQ: `${suffix}.events.dlq`,
    MCP_AUDIT_TOPIC_ALERTS: `${suffix}.alerts`,
    MCP_AUDIT_TOPIC_ALERTS_DLQ: `${suffix}.alerts.dlq`,
    MCP_AUDIT_TOPIC_SIGNALS: `${suffix}.signals`,
    MCP_AUDIT_INGEST_GROUP_ID: `${suffix}.ingest`,
    MCP_AUDIT_INGEST_ALERTS_GROUP_ID: `${suffix}.ingest-alerts`,
    MCP_AUDIT_INGEST_SIGNALS_GROUP_ID: `${suffix}.ingest-signals`,
    MCP_AUDIT_DETECTOR_GROUP_ID: `${suffix}.detector`,
    MCP_AUDIT_INGEST_HEALTH_PORT: '0',
    MCP_AUDIT_DETECTOR_HEALTH_PORT: '0',
    // One ingest process: on 2 cores the broker, ClickHouse, ingest, detector and this producer share the CPU.
    MCP_AUDIT_INGEST_WORKERS: '1',
    MCP_AUDIT_LOG_LEVEL: 'info',
  };
  const config = loadConfig({ ...process.env, ...env });
  await stackUp(config, log);
  const topics = stackTopics(config);
  await createTopics(config.kafka.brokers, topics, log);
  const ch = createClickHouse({ ...config.clickhouse, database: null });
  await migrate(ch, suffix, log);

  const kafka = createKafka(config.kafka, log);
  // The simulator's events are valid v1 already: the bench sends them with the plain kafkajs producer
  // (same key and acks as the producer library, without its per-event validation) so that this
  // process, sharing 2 cores with everything it measures, is not what limits the rate.
  const producer = kafka.producer(idempotentProducerConfig);
  // At most 500 events per request: a request is one record batch per partition, and the broker
  // refuses batches over its 1 MB message limit.
  const send = async (events: AuditEventV1[]) => {
    for (let i = 0; i < events.length; i += 500) {
      const messages = events.slice(i, i + 500).map((e) => ({ key: eventKey(e), value: JSON.stringify(e) }));
      await producer.send({ topic: config.topics.events, acks: -1, messages });
    }
  };
  const consumer = kafka.consumer({ groupId: `${suffix}.bench`, maxWaitTimeInMs: 20 });
  const children: ChildProcess[] = [];
  // If this process dies on an error, its services must not stay behind consuming CPU.
  const killChildren = () => children.forEach((c) => c.kill('SIGKILL'));
  process.once('exit', killChildren);
  try {
    say(`starting ingest and detector (topics ${suffix}.*) ...`);
    children.push(await startService('ingest', env, 'ingest started'));
    children.push(await startService('detector', env, 'detector ready'));
    await producer.connect();

    const producedAt = new Map<string, number>();
    const latencies: number[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: config.topics.alerts, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const a = JSON.parse(String(message.value)) as AlertV1;
        const sent = producedAt.get(a.evidence[a.evidence.length - 1]!.event_id);
        if (sent !== undefined) latencies.push(Date.now() - sent);
      },
    });

    const perType = Math.max(1, Math.round(chainCount / chainTypes.length));
    const start = Date.now();
    const live = new LiveTraffic({ users: 2_000, seed: 5, rate, startMs: start, durationMs: seconds * 1000, inject: chainTypes.map((type) => ({ type, count: perType })) });
    say(`producing ${rate} events/s for ${seconds} s with ${perType * chainTypes.length} chains ...`);
    let produced = 0;
    const inFlight: Promise<void>[] = [];
    let nextReport = start + 10_000;
    let reportedAlerts = 0;
    // A 10 ms tick: small against the latencies measured, large enough that each send is a batch.
    while (Date.now() < start + seconds * 1000) {
      const now = Date.now();
      const events = live.due(now);
      if (events.length > 0) {
        for (const e of events) producedAt.set(e.event_id, now);
        inFlight.push(send(events));
        produced += events.length;
      }
      if (inFlight.length > 200) await Promise.all(inFlight.splice(0));
      if (now >= nextReport) {
        const recent = latencies.slice(reportedAlerts).sort((x, y) => x - y);
        reportedAlerts = latencies.length;
        say(`  ${Math.round((now - start) / 1000)} s: ${produced} events, ${latencies.length} alerts (median of the last ${recent.length}: ${quantile(recent, 0.5)} ms)`);
        nextReport += 10_000;
      }
      await sleep(10);
    }
    await Promise.all(inFlight);
    const achieved = Math.round(produced / ((Date.now() - start) / 1000));
    // Let the chains still in flight finish, then wait for their alerts.
    for (let i = 0; i < 50 && live.pendingCount > 0; i++) {
      const now = Date.now();
      const events = live.due(now, false);
      for (const e of events) producedAt.set(e.event_id, now);
      if (events.length) await send(events);
      await sleep(100);
    }
    await sleep(5_000);
    const sorted = [...latencies].sort((x, y) => x - y);
    return {
      e2e_p50_ms: quantile(sorted, 0.5),
      e2e_p99_ms: quantile(sorted, 0.99),
      e2e_max_ms: sorted[sorted.length - 1] ?? NaN,
      alerts_timed: sorted.length,
      chains: live.manifest.chains.length,
      target_rate: rate,
      achieved_rate: achieved,
    };
  } finally {
    process.off('exit', killChildren);
    await consumer.disconnect().catch(() => {});
    await producer.disconnect().catch(() => {});
    await Promise.all(
      children.map((c) => new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGTERM');
      })),
    );
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: topics.map((t) => t.name) }).catch(() => {});
    await admin.disconnect();
    await ch.command({ query: sql`DROP DATABASE IF EXISTS ${ident(suffix)}`.text });
    await ch.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { rate: { type: 'string' }, seconds: { type: 'string' }, chains: { type: 'string' } } });
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const result = await runE2eBench({ rate: num(values.rate), seconds: num(values.seconds), chains: num(values.chains) });
  process.stdout.write(`${JSON.stringify({ bench: 'detector.e2e', ...result })}\n`);
}
