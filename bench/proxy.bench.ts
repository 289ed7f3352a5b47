// `npm run bench:proxy` (node bench/proxy.bench.ts): the latency `mcp-audit proxy` adds to an MCP
// call, side by side in one run (docs/architecture.md, How we measure).
//
//   1. stack up; a fresh bench topic, so the proxy produces one real audit event per call to Kafka;
//   2. two real SDK clients over stdio to the same server (bench/proxy/bench.server.ts): one spawns
//      it directly, one spawns `mcp-audit proxy -- <the same server>`;
//   3. per case, calls come in pairs, one direct and one proxied, one call in flight at a time (the
//      order within a pair alternates, so neither side always goes first), so both sides meet the
//      same machine state and neither queues behind the other; the pairs are split into --rounds rounds;
//   4. after warm-up pairs, every call's latency is recorded; per round and pooled it prints p50/p99
//      of both sides, the added latency as the difference of their quantiles and as quantiles of the
//      paired differences (proxied − direct of the same pair: a stall of the machine shows in one pair,
//      not in one side's tail), the direct baseline's own p99, and the median over rounds; the CPU
//      time per call of this process (both clients), of the proxy (with the server it spawned) and of
//      the direct server; the machine, load before and after each case, and warnings (bench/lib/);
//   5. it waits until every proxied call's event is in Kafka and says how long after the last
//      answer the last one arrived (the proxy builds events in a thread of its own, off the relay).
//
// Cases: `ordinary` (a tool with a tiny argument and answer: the proxy's fixed cost) and `large`
// (64 KB of `write_file`-shaped arguments in, a 1 MB result out: redaction, hashing and
// fingerprints at their heaviest). Progress goes to stderr, results to stdout; the last line is one
// JSON object: {"bench":"proxy","cases":{"ordinary":{…},"large":{…}},…}.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { loadConfig } from '../core/config.ts';
import { createKafka } from '../core/kafka.ts';
import { createLogger } from '../core/logger.ts';
import { createTopics, stackUp } from '../stack/stack.ts';
import { ARGUMENT_BYTES, RESULT_BYTES, textOf } from './proxy/payloads.ts';
import { beginBench } from './lib/bench.run.ts';
import { CpuMeter } from './lib/cpu.meter.ts';
import { loadNow } from './lib/machine.ts';
import { median, pairedDifferences, quantile } from './lib/stats.ts';

const HELP = `Usage: npm run bench:proxy -- [options]

Latency added by mcp-audit proxy per MCP call (stdio), against a direct connection to the same
server, calls interleaved direct/proxied one at a time. Last output line: one JSON object.

Options:
  --calls N         measured ordinary calls on each connection (default 3000)
  --large-calls N   measured calls with 64 KB arguments and a 1 MB result on each (default 400)
  --warmup N        warm-up calls on each connection before each case (default 10% of its calls)
  --rounds N        rounds each case's calls are split into, reported one by one and as a median (default 5)
  --help
`;

const { values: args } = parseArgs({
  options: {
    calls: { type: 'string', default: '3000' },
    'large-calls': { type: 'string', default: '400' },
    warmup: { type: 'string' },
    rounds: { type: 'string', default: '5' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

const BIN = fileURLToPath(new URL('../bin/mcp-audit.js', import.meta.url));
const SERVER = fileURLToPath(new URL('./proxy/bench.server.ts', import.meta.url));
const progress = (msg: string) => process.stderr.write(`${msg}\n`);
const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;
const load = loadNow;
const ROUNDS = Math.max(1, Number(args.rounds));

const frame = beginBench('bench:proxy');
const log = createLogger('warn', 'bench');
const config = loadConfig();
await stackUp(config, log);
const topic = `bench.proxy.${Date.now()}`;
await createTopics(config.kafka.brokers, [{ name: topic, partitions: 1 }], log);

const env = {
  ...(process.env as Record<string, string>),
  MCP_AUDIT_TOPIC_EVENTS: topic,
  MCP_AUDIT_LOG_LEVEL: 'warn',
  MCP_AUDIT_CAPTURE_SPILL_DIR: mkdtempSync(join(tmpdir(), 'mcpa-bench-spill-')),
};

async function connect(command: string, commandArgs: string[]): Promise<{ client: Client; pid: number; stderr: string[] }> {
  const client = new Client({ name: 'bench', version: '1' });
  const transport = new StdioClientTransport({ command, args: commandArgs, env, stderr: 'pipe' });
  const stderr: string[] = [];
  transport.stderr!.on('data', (c: Buffer) => stderr.push(c.toString()));
  await client.connect(transport);
  return { client, pid: transport.pid!, stderr };
}

/** Messages the proxy skimmed (hash and size only) because its audit thread fell behind, from its log. */
function skimmedMessages(stderr: string[]): number {
  let n = 0;
  for (const line of stderr.join('').split('\n')) {
    try {
      const entry = JSON.parse(line) as { msg?: string; messages?: number };
      if (entry.msg?.startsWith('audit fell behind')) n += entry.messages ?? 0;
    } catch {
      // not a log line
    }
  }
  return n;
}

const direct = await connect(process.execPath, [SERVER]);
const proxied = await connect(process.execPath, [BIN, 'proxy', '--user', 'bench', '--', process.execPath, SERVER]);
progress('connected: one client direct, one through the proxy');

interface Case {
  name: string;
  calls: number;
  tool: string;
  args: (i: number) => Record<string, unknown>;
}

const content = textOf(ARGUMENT_BYTES);
const CASES: Case[] = [
  { name: 'ordinary', calls: Number(args.calls), tool: 'small', args: (i) => ({ id: i }) },
  // A new path per call, so no two calls carry the same arguments.
  { name: 'large', calls: Number(args['large-calls']), tool: 'large', args: (i) => ({ path: `/srv/data/out/${i}.md`, content }) },
];

let proxiedCalls = 0;
let failures = 0;

async function timed(client: Client, tool: string, a: Record<string, unknown>): Promise<number> {
  const t0 = performance.now();
  await client.callTool({ name: tool, arguments: a }).catch(() => void failures++);
  return performance.now() - t0;
}

/** Latency figures of one set of interleaved pairs. */
function figures(direct: number[], proxied: number[]) {
  const diff = pairedDifferences(direct, proxied);
  return {
    pairs: direct.length,
    p50_direct_ms: round(quantile(direct, 0.5)),
    p99_direct_ms: round(quantile(direct, 0.99)),
    p50_proxied_ms: round(quantile(proxied, 0.5)),
    p99_proxied_ms: round(quantile(proxied, 0.99)),
    /** Difference of the two sides' quantiles. */
    p50_added_ms: round(quantile(proxied, 0.5) - quantile(direct, 0.5)),
    p99_added_ms: round(quantile(proxied, 0.99) - quantile(direct, 0.99)),
    /** Quantiles of the paired differences (proxied − direct of the same pair). */
    p50_paired_added_ms: round(quantile(diff, 0.5)),
    p99_paired_added_ms: round(quantile(diff, 0.99)),
  };
}

type Figures = ReturnType<typeof figures>;

async function runCase(c: Case) {
  const warmup = args.warmup !== undefined ? Number(args.warmup) : Math.ceil(c.calls / 10);
  const latencies = { direct: [] as number[], proxied: [] as number[] };
  for (let i = 0; i < warmup; i++) {
    await timed(direct.client, c.tool, c.args(i));
    await timed(proxied.client, c.tool, c.args(i));
    proxiedCalls++;
  }
  const loadBefore = load();
  // The proxy's tree holds the server it spawned; the direct server is measured alone for comparison.
  const meter = new CpuMeter([
    { name: 'proxy', pids: () => [proxied.pid], tree: true },
    { name: 'direct_server', pids: () => [direct.pid], tree: true },
  ]).start();
  for (let i = 0; i < c.calls; i++) {
    // Alternate which side goes first in a pair, so neither always meets the state the other left.
    const a = c.args(warmup + i);
    if (i % 2 === 0) {
      latencies.direct.push(await timed(direct.client, c.tool, a));
      latencies.proxied.push(await timed(proxied.client, c.tool, a));
    } else {
      latencies.proxied.push(await timed(proxied.client, c.tool, a));
      latencies.direct.push(await timed(direct.client, c.tool, a));
    }
    proxiedCalls++;
  }
  const cpu = meter.stop();
  frame.window(`${c.name} case`, cpu);
  const perRound = Math.ceil(c.calls / ROUNDS);
  const rounds: Figures[] = [];
  for (let from = 0; from < c.calls; from += perRound) {
    rounds.push(figures(latencies.direct.slice(from, from + perRound), latencies.proxied.slice(from, from + perRound)));
  }
  const med = (key: keyof Figures) => round(median(rounds.map((r) => r[key])));
  return {
    calls_per_connection: c.calls,
    warmup_calls: warmup,
    ...figures(latencies.direct, latencies.proxied),
    median_of_rounds: {
      rounds: rounds.length,
      p99_direct_ms: med('p99_direct_ms'),
      p50_added_ms: med('p50_added_ms'),
      p99_added_ms: med('p99_added_ms'),
      p50_paired_added_ms: med('p50_paired_added_ms'),
      p99_paired_added_ms: med('p99_paired_added_ms'),
    },
    rounds,
    wall_s: round(cpu.wall_s, 2),
    // This process drives both clients: its CPU covers both sides' client work.
    clients_cpu_ms_per_pair: round((cpu.cpu_s.bench! * 1000) / c.calls),
    proxy_cpu_ms_per_call: round((cpu.cpu_s.proxy! * 1000) / c.calls),
    direct_server_cpu_ms_per_call: round((cpu.cpu_s.direct_server! * 1000) / c.calls),
    cpu,
    load_before: loadBefore,
    load_after: load(),
  };
}

const results: Record<string, Awaited<ReturnType<typeof runCase>>> = {};
for (const c of CASES) {
  progress(`${c.name}: ${c.calls} calls on each connection, interleaved, ${ROUNDS} rounds (load ${load().join(' ')})`);
  results[c.name] = await runCase(c);
}
// Every proxied call must have produced its event: wait for them in Kafka before closing (a client
// that closes the proxy kills it after a few seconds, which would cut off any backlog), and say how
// long after the last answer the last event arrived.
const admin = createKafka(config.kafka, log).admin();
await admin.connect();
const inKafka = async () => (await admin.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high), 0);
const lastAnswer = performance.now();
let events = await inKafka();
for (const until = Date.now() + 120_000; events < proxiedCalls && Date.now() < until; events = await inKafka()) await new Promise((r) => setTimeout(r, 100));
const auditLagS = round((performance.now() - lastAnswer) / 1000, 1);
await direct.client.close();
await proxied.client.close();
await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
await admin.disconnect();

for (const [name, r] of Object.entries(results)) {
  const ms = (x: number) => `${x} ms`;
  process.stdout.write(`${name} (${r.calls_per_connection} pairs, load ${r.load_before.join(' ')} -> ${r.load_after.join(' ')})\n`);
  for (const [i, x] of r.rounds.entries()) {
    process.stdout.write(`  round ${i + 1} (${x.pairs} pairs): direct p50/p99 ${x.p50_direct_ms}/${x.p99_direct_ms} ms; added p50/p99 ${x.p50_added_ms}/${x.p99_added_ms} ms; paired added p50/p99 ${x.p50_paired_added_ms}/${x.p99_paired_added_ms} ms\n`);
  }
  const m = r.median_of_rounds;
  process.stdout.write(`  median of ${m.rounds} rounds: direct p99 ${ms(m.p99_direct_ms)}; added p50 ${ms(m.p50_added_ms)}, p99 ${ms(m.p99_added_ms)}; paired added p50 ${ms(m.p50_paired_added_ms)}, p99 ${ms(m.p99_paired_added_ms)}\n`);
  process.stdout.write(`  all pairs: direct p50 ${ms(r.p50_direct_ms)} p99 ${ms(r.p99_direct_ms)}; proxied p50 ${ms(r.p50_proxied_ms)} p99 ${ms(r.p99_proxied_ms)}\n`);
  process.stdout.write(`  all pairs: added p50 ${ms(r.p50_added_ms)} p99 ${ms(r.p99_added_ms)}; paired added p50 ${ms(r.p50_paired_added_ms)} p99 ${ms(r.p99_paired_added_ms)}\n`);
  process.stdout.write(`  cpu per call: clients ${r.clients_cpu_ms_per_pair} ms per pair, proxy (with its server) ${r.proxy_cpu_ms_per_call} ms, direct server ${r.direct_server_cpu_ms_per_call} ms\n`);
}
process.stdout.write(`targets: ordinary added p50 < 1 ms; large (${ARGUMENT_BYTES / 1024} KB arguments, ${RESULT_BYTES / 1024 / 1024} MB result) added p99 < 5 ms\n`);
const skimmed = skimmedMessages(proxied.stderr);
process.stdout.write(`audit events in Kafka: ${events} of ${proxiedCalls} proxied calls, the last ${auditLagS} s after the last answer; failures: ${failures}\n`);
process.stdout.write(`messages skimmed (hash and size only) because the audit thread fell behind: ${skimmed}\n`);
const frameEnd = frame.finish();
process.stdout.write(`${JSON.stringify({ bench: 'proxy', cases: results, audit_events_in_kafka: events, calls_through_proxy: proxiedCalls, audit_lag_s: auditLagS, skimmed_messages: skimmed, failures, ...frameEnd })}\n`);
process.exit(0);
