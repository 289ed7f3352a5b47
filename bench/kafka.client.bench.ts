// `npm run bench:kafka-client`: the Kafka client libraries behind the consumer runtime (kafkajs and
// @platformatic/kafka, core/kafka/*.clients.ts), each read through its ConsumerClient, side by side
// on the same topic (DESIGN.md §7, How we measure).
//
//   1. stack up; a fresh topic `bench.kafka-client.<timestamp>` (6 partitions) with N bench events of
//      about 530 bytes (bench/bench.events.ts), produced once;
//   2. rounds, interleaved kafkajs, platformatic, kafkajs, platformatic, ...: each side in a fresh
//      child process (neither inherits the other's JIT or heap) and a fresh consumer group reads the
//      topic from the start to its end with ingest's fetch settings, touching each value, resolving
//      each batch and committing every second as the runtime does;
//   3. the child measures its own CPU (process.cpuUsage) and wall time from start() to the last
//      message and checks every offset of every partition arrived (missing, out of order, twice);
//      the parent adds the child's CPU as /proc sees it and the broker's; per side and round:
//      messages per CPU-second and per wall second; the median over rounds; load before and after.
//
// Progress goes to stderr, results to stdout; the last line is one JSON object.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../core/config.ts';
import { createKafka } from '../core/kafka.ts';
import type { ConsumerClient, KafkaClients } from '../core/kafka/kafka.clients.ts';
import { kafkajsClients } from '../core/kafka/kafkajs.clients.ts';
import { platformaticClients } from '../core/kafka/platformatic.clients.ts';
import { createLogger } from '../core/logger.ts';
import { INGEST_FETCH } from '../ingest/pipeline.runner.ts';
import { createTopics, stackUp } from '../stack/stack.ts';
import { makeBenchMessages } from './bench.events.ts';
import { beginBench, toStderr } from './lib/bench.run.ts';
import { CpuMeter, type CpuWindow } from './lib/cpu.meter.ts';
import { runInterleaved } from './lib/interleave.ts';
import { produceAll } from './lib/produce.ts';
import { stackRoles } from './lib/stack.roles.ts';
import { median } from './lib/stats.ts';

const HELP = `Usage: npm run bench:kafka-client -- [options]

Reads the same topic with each Kafka client library of the consumer runtime (kafkajs,
@platformatic/kafka) through its ConsumerClient, interleaved, each side in a fresh child process with
a fresh consumer group, and prints messages per CPU-second and per wall second per side.

Options:
  --messages N     messages to produce and read (default 500000)
  --partitions N   partitions of the bench topic (default 6)
  --rounds N       rounds of kafkajs then platformatic (default 3)
  --keep           keep the topic afterwards
  --help           this text`;

const SELF = fileURLToPath(import.meta.url);
const SIDES = ['kafkajs', 'platformatic'] as const;
type SideName = (typeof SIDES)[number];

const COMMIT_MS = 1_000;

/** What a child reports. */
interface ChildResult {
  received: number;
  missing: number;
  out_of_order: number;
  twice: number;
  value_bytes: number;
  cpu_s: number;
  wall_s: number;
  first_batch_s: number;
}

const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const round2 = (x: number) => Math.round(x * 100) / 100;

// --- child: one side, one group, the whole topic ----------------------------------------------------

async function child(side: SideName, topic: string, group: string, ends: number[]): Promise<ChildResult> {
  const config = loadConfig(process.env);
  const log = createLogger('warn', 'bench-child');
  const connection = { brokers: config.kafka.brokers, clientId: `bench-${side}` };
  const clients: KafkaClients = side === 'kafkajs' ? kafkajsClients(createKafka(connection, log)) : platformaticClients(connection);
  // As ingest reads: its fetch settings and the configured concurrency.
  const consumer: ConsumerClient = clients.consumer({ groupId: group, topic, concurrency: config.consumer.concurrency, ...INGEST_FETCH });
  const next = ends.map(() => 0);
  const r = { received: 0, out_of_order: 0, twice: 0, value_bytes: 0 };
  let firstBatchAt = 0;
  const done = Promise.withResolvers<void>();
  const complete = () => next.every((n, p) => n >= ends[p]!);
  const commit = () => consumer.commit(next.flatMap((offset, partition) => (offset > 0 ? [{ partition, offset: String(offset) }] : [])));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await consumer.start(
    async (batch) => {
      firstBatchAt ||= performance.now();
      const p = batch.partition;
      for (const m of batch.messages) {
        const o = Number(m.offset);
        r.value_bytes += m.value?.length ?? 0;
        if (o < next[p]!) r.twice++;
        else {
          if (o > next[p]!) r.out_of_order++;
          next[p] = o + 1;
          r.received++;
        }
      }
      const last = batch.messages.at(-1);
      if (last) batch.resolve(last.offset);
      if (complete()) done.resolve();
    },
    { assigned: () => {}, crashed: (err, restarting) => progress(`${side}: consumer ${restarting ? 'restarting' : 'crashed'}: ${String(err)}`) },
  );
  const timer = setInterval(() => void commit().catch(() => {}), COMMIT_MS);
  await done.promise;
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - t0;
  clearInterval(timer);
  consumer.pause();
  await commit();
  await consumer.disconnect();
  const missing = ends.reduce((s, end, p) => s + Math.max(0, end - next[p]!), 0);
  return { ...r, missing, cpu_s: (cpu.user + cpu.system) / 1e6, wall_s: wall / 1000, first_batch_s: (firstBatchAt - t0) / 1000 };
}

// --- parent --------------------------------------------------------------------------------------

interface SideResult extends ChildResult {
  msgs_per_cpu_s: number;
  msgs_per_wall_s: number;
  /** The child's CPU as /proc sees it (with start-up and module loading) and the broker's, over the child's life. */
  window: CpuWindow;
}

function runChild(side: SideName, topic: string, group: string, ends: number[], roles: ReturnType<typeof stackRoles>): Promise<SideResult> {
  let pid: number | undefined;
  const meter = new CpuMeter([{ name: 'consumer process', pids: () => [pid] }, ...roles]).start();
  const proc = spawn(process.execPath, [SELF, '--child', side, '--topic', topic, '--group', group, '--ends', ends.join(',')], { stdio: ['ignore', 'pipe', 'inherit'] });
  pid = proc.pid;
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  return new Promise((resolve, reject) =>
    proc.on('exit', (code) => {
      const window = meter.stop();
      if (code !== 0) return reject(new Error(`${side} child exited with code ${code}`));
      const c = JSON.parse(out.trim().split('\n').at(-1)!) as ChildResult;
      resolve({ ...c, msgs_per_cpu_s: Math.round(c.received / c.cpu_s), msgs_per_wall_s: Math.round(c.received / c.wall_s), window });
    }),
  );
}

async function main(): Promise<string> {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string', default: '500000' },
      partitions: { type: 'string', default: '6' },
      rounds: { type: 'string', default: '3' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      child: { type: 'string' },
      topic: { type: 'string' },
      group: { type: 'string' },
      ends: { type: 'string' },
    },
    strict: true,
  });
  if (values.help) return `${HELP}\n`;
  if (values.child) {
    const side = values.child as SideName;
    if (!SIDES.includes(side)) throw new Error(`--child must be one of ${SIDES.join(', ')}`);
    return `${JSON.stringify(await child(side, values.topic!, values.group!, values.ends!.split(',').map(Number)))}\n`;
  }
  const n = Number(values.messages);
  const partitions = Number(values.partitions);
  const rounds = Number(values.rounds);
  for (const [name, v] of [['messages', n], ['partitions', partitions], ['rounds', rounds]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer`);
  }

  const config = loadConfig(process.env);
  const log = createLogger('warn', 'bench');
  const report: string[] = [];
  const run = beginBench('bench:kafka-client', (line) => {
    report.push(line);
    toStderr(`[bench] ${line}`);
  });
  const suffix = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const topic = `bench.kafka-client.${suffix}`;
  const groupOf = (side: SideName, r: number) => `${topic}.${side}.r${r + 1}`;
  await stackUp(config, log);
  const roles = stackRoles(config);
  const kafka = createKafka({ brokers: config.kafka.brokers, clientId: 'mcp-audit-bench' }, log);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await createTopics(config.kafka.brokers, [{ name: topic, partitions }], log);
    progress(`generating and producing ${fmt(n)} events to ${topic} (${partitions} partitions)`);
    const messages = makeBenchMessages(n, { startMs: Date.now() - n * 2 });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const produceSeconds = await produceAll(producer, topic, messages, progress);
    await producer.disconnect();
    const avgBytes = messages.reduce((s, m) => s + m.value.length, 0) / n;
    messages.length = 0;
    const ends = (await admin.fetchTopicOffsets(topic)).sort((a, b) => a.partition - b.partition).map((p) => Number(p.high));
    progress(`produced in ${produceSeconds.toFixed(1)} s; partition ends ${ends.join(', ')}`);

    const measured = await runInterleaved(
      SIDES.map((side) => ({
        name: side,
        run: async (r: number) => {
          progress(`round ${r + 1}, ${side}`);
          return runChild(side, topic, groupOf(side, r), ends, roles);
        },
      })),
      rounds,
    );
    const findings: string[] = [];
    for (const [r, results] of measured.rounds.entries()) {
      for (const side of SIDES) {
        const s = results[side]!;
        run.window(`round ${r + 1}, ${side} (child process, whole life)`, s.window);
        report.push(
          `round ${r + 1}, ${side}: ${fmt(s.received)} messages in ${s.wall_s.toFixed(2)} s wall (first batch after ${s.first_batch_s.toFixed(2)} s), ` +
            `${s.cpu_s.toFixed(2)} CPU-s = ${fmt(s.msgs_per_cpu_s)} msg per CPU-s (${((s.cpu_s * 1e6) / s.received).toFixed(2)} µs per message), ${fmt(s.msgs_per_wall_s)} msg/s wall; ` +
            `broker ${(s.window.cpu_s.broker ?? 0).toFixed(2)} CPU-s`,
        );
        if (s.missing || s.out_of_order || s.twice || s.received !== n) {
          findings.push(`FINDING: round ${r + 1}, ${side}: received ${fmt(s.received)} of ${fmt(n)}, missing ${s.missing}, out of order ${s.out_of_order}, twice ${s.twice}`);
        }
      }
    }
    report.push(...findings);
    const frame = run.finish();
    const med = (side: SideName, key: 'msgs_per_cpu_s' | 'msgs_per_wall_s') => Math.round(median(measured.rounds.map((r) => r[side]![key])));
    const ratio = (key: 'msgs_per_cpu_s' | 'msgs_per_wall_s') => round2(median(measured.rounds.map((r) => r.platformatic![key] / r.kafkajs![key])));
    report.push(
      `messages: ${fmt(n)} (avg ${avgBytes.toFixed(0)} bytes, ${partitions} partitions), ${rounds} round(s)`,
      ...SIDES.map((side) => `${side.padEnd(12)} median ${fmt(med(side, 'msgs_per_cpu_s'))} msg per CPU-s (${(1e6 / med(side, 'msgs_per_cpu_s')).toFixed(2)} µs per message), ${fmt(med(side, 'msgs_per_wall_s'))} msg/s wall`),
      `platformatic / kafkajs: median ${ratio('msgs_per_cpu_s').toFixed(2)} per CPU-second, ${ratio('msgs_per_wall_s').toFixed(2)} per wall second` + (findings.length ? ' (NOT every message arrived exactly once: see the findings)' : ''),
    );
    return [
      ...report,
      JSON.stringify({
        bench: 'kafka-client',
        messages: n,
        avg_bytes: Math.round(avgBytes),
        partitions,
        rounds,
        ...Object.fromEntries(SIDES.map((s) => [s, { msgs_per_cpu_s: med(s, 'msgs_per_cpu_s'), msgs_per_wall_s: med(s, 'msgs_per_wall_s') }])),
        cpu_ratio: ratio('msgs_per_cpu_s'),
        wall_ratio: ratio('msgs_per_wall_s'),
        complete: findings.length === 0,
        per_round: measured.rounds.map((r) => Object.fromEntries(SIDES.map((s) => [s, { ...r[s]!, window: undefined, proc_cpu_s: r[s]!.window.cpu_s['consumer process'], broker_cpu_s: r[s]!.window.cpu_s.broker }]))),
        ...frame,
      }),
    ].join('\n') + '\n';
  } finally {
    if (!values.keep) {
      await admin.deleteTopics({ topics: [topic] }).catch((err: unknown) => progress(`delete topic: ${String(err)}`));
      await admin.deleteGroups(Array.from({ length: rounds }, (_, r) => SIDES.map((s) => groupOf(s, r))).flat()).catch(() => {});
    }
    await admin.disconnect();
  }
}

main().then(
  (out) => {
    process.stdout.write(out);
    process.exit(0);
  },
  (err: unknown) => {
    progress(`failed: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  },
);
