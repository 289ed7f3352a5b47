// Part (b) of `npm run bench:detector` (alone: `npm run bench:e2e`): the highest offered rate the
// whole pipeline sustains on this machine with p99 produce→alert within a bound (250 ms), found by
// stepping the rate up, then p50/p99 at half of that rate.
//
// Ingest and the detector run as real child processes (`mcp-audit ingest`, `mcp-audit detector`) on
// topics and a database of their own; this process produces live simulated traffic with attack
// chains spread over each step and reads the alerts topic. For each alert the latency is the time
// from handing its last evidence event (the one that completed the match) to the producer, to the
// alert arriving here.
//
// Steps (default 500, 1000, 2000, 3000, 5000, 7500, 10000 ev/s, --step-seconds each): a step is sustained when
// the producer achieved ≥ 95 % of the offered rate, p99 ≤ --p99-bound, and latency did not rise
// through the step (bench/lib/rate.steps.ts). After each step the bench waits until the detector has
// caught up (its consumer lag is 0), so a step never inherits the previous one's backlog. Stepping
// stops at the first step that is not sustained. Per step it prints where the CPU went: CPU seconds
// of ingest, detector, broker, ClickHouse and this process (producer and alert reader), and of other
// processes on the machine, from /proc (bench/lib/cpu.meter.ts). Everything is torn down at the end.
//
//   npm run bench:e2e -- [--steps 500,1000,2000,3000,5000,7500,10000] [--step-seconds 30] [--warmup-seconds 10] [--chains-per-step 600] [--p99-bound 250] [--cpu-prof DIR]
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Admin } from 'kafkajs';
import { createClickHouse } from '../core/clickhouse.ts';
import { loadConfig } from '../core/config.ts';
import { createKafka } from '../core/kafka.ts';
import { consumerClients } from '../core/kafka/consumer.clients.ts';
import { createLogger } from '../core/logger.ts';
import { ident, sql } from '../core/sql.ts';
import { migrate } from '../migrations/migrate.ts';
import type { AlertV1 } from '../schemas/alert.v1.ts';
import { eventKey, type AuditEventV1 } from '../schemas/event.v1.ts';
import { chainTypes } from '../simulate/chains.ts';
import { LiveTraffic } from '../simulate/simulate.ts';
import { createTopics, stackTopics, stackUp } from '../stack/stack.ts';
import { benchArgs } from './lib/bench.args.ts';
import { beginBench, numberOption, type BenchFrame } from './lib/bench.run.ts';
import { CpuMeter, type CpuWindow } from './lib/cpu.meter.ts';
import { judgeStep, parseSteps, type LatencySample, type StepVerdict } from './lib/rate.steps.ts';
import { stackRoles } from './lib/stack.roles.ts';
import { quantile, roundTo } from './lib/stats.ts';

export interface E2eBenchOptions {
  /** Offered rates to step through, ascending (events/s). */
  steps?: number[];
  stepSeconds?: number;
  /** An unmeasured run at the first step's rate before the steps. */
  warmupSeconds?: number;
  chainsPerStep?: number;
  p99BoundMs?: number;
  /** Folder for V8 CPU profiles of ingest and the detector (`node --cpu-prof`), written when they stop. */
  cpuProfDir?: string;
}

export interface E2eStep {
  offered: number;
  achieved: number;
  seconds: number;
  alerts_timed: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  first_third_p50_ms: number;
  last_third_p50_ms: number;
  /** p50 / p99 of the part before the detector (event handed to the producer → detector raised the alert) and after it. */
  to_detector_ms: { p50: number; p99: number };
  from_detector_ms: { p50: number; p99: number };
  sustained: boolean;
  reasons: string[];
  /** Uncommitted events of each group when the step's producing ended (a backlog building up). */
  lag_at_end: { ingest: number; detector: number };
  /** Seconds after the step's end until the detector had caught up. */
  drain_s: number;
  /** Over the step and its drain. */
  cpu: CpuWindow;
  /** CPU microseconds per produced event, per process. */
  cpu_us_per_event: Record<string, number>;
}

export interface E2eBenchResult extends BenchFrame {
  p99_bound_ms: number;
  max_sustained_rate: number | null;
  half_rate: number | null;
  e2e_p50_ms: number | null;
  e2e_p99_ms: number | null;
  steps: E2eStep[];
  half: E2eStep | null;
}

const BIN = fileURLToPath(new URL('../bin/mcp-audit.js', import.meta.url));
const say = (msg: string) => process.stderr.write(`${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// Up to 10,000: a quiet machine of this kind sustains 7,500, and a ceiling the steps do not reach
// goes unmeasured. The bench stops at the first step that is not sustained, so a slower box pays nothing.
export const DEFAULT_STEPS = [500, 1000, 2000, 3000, 5000, 7500, 10000];
/** The other options' defaults, read by the bench and printed by its usage. */
const DEFAULTS = {
  stepSeconds: 30,
  warmupSeconds: 10,
  // A p99 needs a few hundred samples to be more than the slowest alert: with 100 chains (about 85
  // timed alerts) one pause of the machine decided it. 600 chains add about 20 events a second.
  chainsPerStep: 600,
  p99BoundMs: 250,
};
const NO_HEADERS: Record<string, string> = {};
/** The longest the bench waits for the detector to catch up after a step. */
const DRAIN_MAX_MS = 60_000;

/** Starts `mcp-audit <command>` and resolves once a log line contains `readyText`. */
function startService(command: string, env: Record<string, string>, readyText: string, nodeArgs: string[] = []): Promise<ChildProcess> {
  const proc = spawn(process.execPath, [...nodeArgs, BIN, command], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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

const p50p99 = (ms: number[]) => ({ p50: roundTo(quantile(ms, 0.5), 1), p99: roundTo(quantile(ms, 0.99), 1) });

/** Events of `topic` not yet committed by `groupId`. */
async function lag(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [high, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
  const done = new Map(committed[0]?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
  return high.reduce((n, p) => n + Math.max(0, Number(p.high) - Math.max(0, done.get(p.partition) ?? 0)), 0);
}

export async function runE2eBench(opts: E2eBenchOptions = {}): Promise<E2eBenchResult> {
  const steps = opts.steps ?? DEFAULT_STEPS;
  const stepMs = (opts.stepSeconds ?? DEFAULTS.stepSeconds) * 1000;
  const warmupMs = (opts.warmupSeconds ?? DEFAULTS.warmupSeconds) * 1000;
  // About 3 alerts per second of a step: enough that a step's p99 is not just its slowest alert.
  const chainsPerStep = opts.chainsPerStep ?? DEFAULTS.chainsPerStep;
  const p99Bound = opts.p99BoundMs ?? DEFAULTS.p99BoundMs;
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
  const run = beginBench('bench:e2e', say);
  const config = loadConfig({ ...process.env, ...env });
  await stackUp(config, log);
  const topics = stackTopics(config);
  await createTopics(config.kafka.brokers, topics, log);
  const ch = createClickHouse({ ...config.clickhouse, database: null });
  await migrate(ch, suffix, log);

  const kafka = createKafka(config.kafka, log);
  // The simulator's events are valid v1 already: the bench sends them with a plain producer (same
  // key and acks as the producer library, without its per-event validation) so that this process,
  // sharing 2 cores with everything it measures, is not what limits the rate. It is the producer of
  // the consumers' client library (MCP_AUDIT_KAFKA_CONSUMER_CLIENT): @platformatic/kafka's took 7–13
  // µs of CPU per event in 50-event sends against kafkajs' 23–30.
  const producer = consumerClients(config, kafka).producer();
  // At most 500 events per request: a request is one record batch per partition, and the broker
  // refuses batches over its 1 MB message limit.
  const send = async (events: AuditEventV1[]) => {
    for (let i = 0; i < events.length; i += 500) {
      await producer.send(config.topics.events, events.slice(i, i + 500).map((e) => ({ key: eventKey(e), value: JSON.stringify(e), headers: NO_HEADERS })));
    }
  };
  // The broker answers as soon as an alert is there; the wait only paces polling while none comes
  // (at 20 ms this idle polling alone was 50 fetch requests a second on the shared broker).
  const consumer = kafka.consumer({ groupId: `${suffix}.bench`, maxWaitTimeInMs: 500 });
  const admin = kafka.admin();
  const children: { ingest?: ChildProcess; detector?: ChildProcess } = {};
  // If this process dies on an error, its services must not stay behind consuming CPU.
  const killChildren = () => Object.values(children).forEach((c) => c.kill('SIGKILL'));
  process.once('exit', killChildren);
  const roles = [
    { name: 'ingest', pids: () => [children.ingest?.pid], tree: true },
    { name: 'detector', pids: () => [children.detector?.pid], tree: true },
    ...stackRoles(config),
  ];
  try {
    say(`starting ingest and detector (topics ${suffix}.*) ...`);
    // --cpu-prof is refused in NODE_OPTIONS, so profiling the services takes their own node flags.
    const nodeArgs = opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : [];
    children.ingest = await startService('ingest', env, 'ingest started', nodeArgs);
    children.detector = await startService('detector', env, 'detector ready', nodeArgs);
    await producer.connect();
    await admin.connect();

    // Produce time of each event, with the step it belongs to; an alert is timed against its last evidence event.
    const producedAt = new Map<string, { step: number; at: number }>();
    const samples = new Map<number, (LatencySample & { toDetectorMs: number })[]>();
    const stepStart = new Map<number, number>();
    await consumer.connect();
    await consumer.subscribe({ topic: config.topics.alerts, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const a = JSON.parse(String(message.value)) as AlertV1;
        const sent = producedAt.get(a.evidence[a.evidence.length - 1]!.event_id);
        if (sent === undefined) return;
        const now = Date.now();
        // detected_at is when the detector took up the batch that raised it (same clock): the split
        // says whether a slow alert waited before the detector (producer, broker, fetch) or after it.
        const toDetectorMs = Date.parse(a.detected_at) - sent.at;
        samples.get(sent.step)?.push({ atMs: sent.at - stepStart.get(sent.step)!, ms: now - sent.at, toDetectorMs });
      },
    });

    const runStep = async (index: number, rate: number, stepMs: number): Promise<E2eStep> => {
      const perType = Math.max(1, Math.round(chainsPerStep / chainTypes.length));
      samples.set(index, []);
      const meter = new CpuMeter(roles).start();
      const start = Date.now();
      stepStart.set(index, start);
      // The simulator spreads chains over the first two thirds of its duration: stretched so they
      // cover the whole step, and the latency trend has alerts in its last third too.
      const live = new LiveTraffic({ users: 2_000, seed: 5, rate, startMs: start, durationMs: Math.round(stepMs / 0.66), inject: chainTypes.map((type) => ({ type, count: perType })) });
      say(`step ${index + 1}: ${rate} events/s for ${stepMs / 1000} s with ${perType * chainTypes.length} chains ...`);
      let produced = 0;
      const inFlight: Promise<void>[] = [];
      // A 10 ms tick: small against the latencies measured, large enough that each send is a batch.
      while (Date.now() < start + stepMs) {
        const now = Date.now();
        const events = live.due(now);
        if (events.length > 0) {
          for (const e of events) producedAt.set(e.event_id, { step: index, at: now });
          inFlight.push(send(events));
          produced += events.length;
        }
        if (inFlight.length > 200) await Promise.all(inFlight.splice(0));
        await sleep(10);
      }
      await Promise.all(inFlight);
      const producedS = (Date.now() - start) / 1000;
      const achieved = produced / producedS;
      const lagAtEnd = {
        ingest: await lag(admin, env.MCP_AUDIT_INGEST_GROUP_ID!, config.topics.events),
        detector: await lag(admin, env.MCP_AUDIT_DETECTOR_GROUP_ID!, config.topics.events),
      };
      // Chains still in flight finish (their last steps, which the verdict leaves out), then the
      // detector drains its backlog before the next step.
      const ended = Date.now();
      for (let i = 0; i < 50 && live.pendingCount > 0; i++) {
        const now = Date.now();
        const events = live.due(now, false);
        for (const e of events) producedAt.set(e.event_id, { step: index, at: now });
        if (events.length) await send(events);
        await sleep(100);
      }
      while (Date.now() - ended < DRAIN_MAX_MS && (await lag(admin, env.MCP_AUDIT_DETECTOR_GROUP_ID!, config.topics.events)) > 0) await sleep(250);
      const drainS = (Date.now() - ended) / 1000;
      // Alerts of the last events need a moment after the detector committed them.
      await sleep(2_000);
      const cpu = meter.stop();
      // The step is over and drained: its events need no produce times any more.
      for (const [id, p] of producedAt) if (p.step === index) producedAt.delete(id);
      // The verdict counts alerts whose evidence was produced during the step proper.
      const inStep = samples.get(index)!.filter((s) => s.atMs <= stepMs);
      const verdict: StepVerdict = judgeStep({ offered: rate, achieved, samples: inStep, stepMs, p99BoundMs: p99Bound, minSamples: 5 });
      const perEvent = Object.fromEntries(Object.entries(cpu.cpu_s).map(([name, s]) => [name, Math.round((s * 1e6) / Math.max(1, produced))]));
      return {
        offered: rate,
        achieved: Math.round(achieved),
        seconds: roundTo(producedS, 1),
        alerts_timed: inStep.length,
        p50_ms: roundTo(verdict.p50_ms, 1),
        p99_ms: roundTo(verdict.p99_ms, 1),
        max_ms: inStep.reduce((m, s) => Math.max(m, s.ms), 0),
        first_third_p50_ms: roundTo(verdict.first_third_p50_ms, 1),
        last_third_p50_ms: roundTo(verdict.last_third_p50_ms, 1),
        to_detector_ms: p50p99(inStep.map((s) => s.toDetectorMs)),
        from_detector_ms: p50p99(inStep.map((s) => s.ms - s.toDetectorMs)),
        sustained: verdict.sustained,
        reasons: verdict.reasons,
        lag_at_end: lagAtEnd,
        drain_s: roundTo(drainS, 1),
        cpu,
        cpu_us_per_event: perEvent,
      };
    };

    const report = (label: string, s: E2eStep) => {
      say(`${label}: ${s.offered} ev/s offered, ${s.achieved} achieved; ${s.alerts_timed} alerts timed, p50 ${s.p50_ms} ms, p99 ${s.p99_ms} ms, max ${s.max_ms} ms; ` +
        `median first/last third ${s.first_third_p50_ms}/${s.last_third_p50_ms} ms; ` +
        `p50/p99 before the detector ${s.to_detector_ms.p50}/${s.to_detector_ms.p99} ms, after it ${s.from_detector_ms.p50}/${s.from_detector_ms.p99} ms; lag at end ingest ${s.lag_at_end.ingest}, detector ${s.lag_at_end.detector}; drained in ${s.drain_s} s; ` +
        (s.sustained ? 'SUSTAINED' : `NOT sustained: ${s.reasons.join('; ')}`));
      run.window(`${label} (step and drain)`, s.cpu);
      say(`${label}: CPU µs per event: ${Object.entries(s.cpu_us_per_event).map(([n, us]) => `${n} ${us}`).join(', ')}`);
    };

    // Unmeasured: the services' first seconds (JIT, group joins, first inserts) belong to no step.
    if (warmupMs > 0) report('warm-up', await runStep(-1, steps[0]!, warmupMs));
    const stepsRun: E2eStep[] = [];
    let best: number | null = null;
    for (const [i, rate] of steps.entries()) {
      const s = await runStep(i, rate, stepMs);
      stepsRun.push(s);
      report(`step ${i + 1}`, s);
      if (!s.sustained) break;
      best = rate;
    }
    let half: E2eStep | null = null;
    const halfRate = best === null ? null : Math.round(best / 2);
    if (halfRate !== null) {
      half = await runStep(steps.length, halfRate, stepMs);
      report(`half of ${best}`, half);
    }
    const frame = run.finish();
    say(`highest sustained rate with p99 ≤ ${p99Bound} ms: ${best ?? 'none of the steps'}` +
      (half ? `; at half of it (${halfRate} ev/s): p50 ${half.p50_ms} ms, p99 ${half.p99_ms} ms` : ''));
    return {
      p99_bound_ms: p99Bound,
      max_sustained_rate: best,
      half_rate: halfRate,
      e2e_p50_ms: half?.p50_ms ?? null,
      e2e_p99_ms: half?.p99_ms ?? null,
      steps: stepsRun,
      half,
      ...frame,
    };
  } finally {
    process.off('exit', killChildren);
    await consumer.disconnect().catch(() => {});
    await producer.disconnect().catch(() => {});
    await Promise.all(
      Object.values(children).map((c) => new Promise<void>((resolve) => {
        if (c.exitCode !== null || c.signalCode !== null) return resolve();
        c.once('exit', () => resolve());
        c.kill('SIGTERM');
      })),
    );
    await admin.deleteTopics({ topics: topics.map((t) => t.name) }).catch(() => {});
    await admin.disconnect().catch(() => {});
    // A busy shared ClickHouse may time the drop out: the measurements stand, the leftover is named.
    await ch.command({ query: sql`DROP DATABASE IF EXISTS ${ident(suffix)}`.text }).catch((err: unknown) => say(`WARNING: could not drop database ${suffix}: ${String(err)}`));
    await ch.close();
  }
}

/** The command-line options of the end-to-end part, shared with bench/detector.bench.ts. */
export const E2E_OPTIONS = {
  steps: { type: 'string' },
  'step-seconds': { type: 'string' },
  'warmup-seconds': { type: 'string' },
  'chains-per-step': { type: 'string' },
  'p99-bound': { type: 'string' },
  'cpu-prof': { type: 'string' },
} as const;

export function e2eOptionsFrom(values: { steps?: string; 'step-seconds'?: string; 'warmup-seconds'?: string; 'chains-per-step'?: string; 'p99-bound'?: string; 'cpu-prof'?: string }): E2eBenchOptions {
  return {
    steps: values.steps === undefined ? undefined : parseSteps(values.steps),
    stepSeconds: numberOption(values['step-seconds']),
    warmupSeconds: numberOption(values['warmup-seconds']),
    chainsPerStep: numberOption(values['chains-per-step']),
    p99BoundMs: numberOption(values['p99-bound']),
    cpuProfDir: values['cpu-prof'],
  };
}

/** The usage of part (b) alone. */
export const E2E_USAGE = `
npm run bench:e2e -- [options]
Produce to alert on the real stack: steps the offered rate, reports the highest rate sustained with
p99 produce-to-alert within the bound, then p50/p99 at half of it. Last stdout line: a JSON object.
  --steps R1,R2,...        offered rates in events per second (default ${DEFAULT_STEPS.join(',')});
                           stops at the first step not sustained
  --step-seconds N         seconds per step (default ${DEFAULTS.stepSeconds})
  --warmup-seconds N       seconds before the first step (default ${DEFAULTS.warmupSeconds})
  --chains-per-step N      timed attack chains per step (default ${DEFAULTS.chainsPerStep})
  --p99-bound MS           the p99 a sustained step must keep (default ${DEFAULTS.p99BoundMs})
  --cpu-prof DIR           V8 CPU profiles of the pipeline's processes into DIR
  --help                   this text`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const values = benchArgs(E2E_OPTIONS, E2E_USAGE);
  const result = await runE2eBench(e2eOptionsFrom(values));
  process.stdout.write(`${JSON.stringify({ bench: 'detector.e2e', ...result })}\n`);
  process.exit(0);
}
