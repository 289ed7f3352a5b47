// `npm run bench:proxy` (node bench/proxy.bench.ts): the latency `mcp-audit proxy` adds to an MCP
// call, side by side in one run (docs/architecture.md, How we measure).
//
//   1. stack up; a fresh bench topic, so the proxy produces one real audit event per call to Kafka;
//   2. two real SDK clients over stdio to the same server (bench/proxy/bench.server.ts): one spawns
//      it directly, one spawns `mcp-audit proxy -- <the same server>`;
//   3. per case, calls alternate A,B,A,B (direct, proxied, direct, proxied, ...) with one call in
//      flight at a time, so both sides meet the same machine state and neither queues behind the other;
//   4. after warm-up pairs, every call's latency is recorded; it prints p50/p99 of both sides and
//      their difference, the CPU time per call of this process (both clients) and of the proxy
//      process, and the load average before and after each case;
//   5. it waits until every proxied call's event is in Kafka and says how long after the last
//      answer the last one arrived (the proxy builds events in a thread of its own, off the relay).
//
// Cases: `ordinary` (a tool with a tiny argument and answer: the proxy's fixed cost) and `large`
// (64 KB of `write_file`-shaped arguments in, a 1 MB result out: redaction, hashing and
// fingerprints at their heaviest). Progress goes to stderr, results to stdout; the last line is one
// JSON object: {"bench":"proxy","cases":{"ordinary":{…},"large":{…}},…}.
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { quantileSorted } from 'simple-statistics';
import { loadConfig } from '../core/config.ts';
import { createKafka } from '../core/kafka.ts';
import { createLogger } from '../core/logger.ts';
import { createTopics, stackUp } from '../stack/stack.ts';
import { ARGUMENT_BYTES, RESULT_BYTES, textOf } from './proxy/payloads.ts';
import { processCpuMs } from './lib/proc.stat.ts';

const HELP = `Usage: npm run bench:proxy -- [options]

Latency added by mcp-audit proxy per MCP call (stdio), against a direct connection to the same
server, calls interleaved direct/proxied one at a time. Last output line: one JSON object.

Options:
  --calls N         measured ordinary calls on each connection (default 3000)
  --large-calls N   measured calls with 64 KB arguments and a 1 MB result on each (default 400)
  --warmup N        warm-up calls on each connection before each case (default 10% of its calls)
  --help
`;

const { values: args } = parseArgs({
  options: {
    calls: { type: 'string', default: '3000' },
    'large-calls': { type: 'string', default: '400' },
    warmup: { type: 'string' },
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
const load = () => loadavg().map((x) => round(x, 2));

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

async function runCase(c: Case) {
  const warmup = args.warmup !== undefined ? Number(args.warmup) : Math.ceil(c.calls / 10);
  const latencies = { direct: [] as number[], proxied: [] as number[] };
  for (let i = 0; i < warmup; i++) {
    await timed(direct.client, c.tool, c.args(i));
    await timed(proxied.client, c.tool, c.args(i));
    proxiedCalls++;
  }
  const loadBefore = load();
  const cpu0 = process.cpuUsage();
  const proxyCpu0 = processCpuMs(proxied.pid);
  const t0 = performance.now();
  for (let i = 0; i < c.calls; i++) {
    latencies.direct.push(await timed(direct.client, c.tool, c.args(warmup + i)));
    latencies.proxied.push(await timed(proxied.client, c.tool, c.args(warmup + i)));
    proxiedCalls++;
  }
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const proxyCpu1 = processCpuMs(proxied.pid);
  const d = latencies.direct.sort((x, y) => x - y);
  const p = latencies.proxied.sort((x, y) => x - y);
  const q = (xs: number[], at: number) => quantileSorted(xs, at);
  return {
    calls_per_connection: c.calls,
    warmup_calls: warmup,
    p50_direct_ms: round(q(d, 0.5)),
    p99_direct_ms: round(q(d, 0.99)),
    p50_proxied_ms: round(q(p, 0.5)),
    p99_proxied_ms: round(q(p, 0.99)),
    p50_added_ms: round(q(p, 0.5) - q(d, 0.5)),
    p99_added_ms: round(q(p, 0.99) - q(d, 0.99)),
    wall_s: round(wallS, 2),
    // This process drives both clients: its CPU covers both sides' client work.
    clients_cpu_ms_per_pair: round((cpu.user + cpu.system) / 1000 / c.calls),
    proxy_cpu_ms_per_call: proxyCpu0 !== null && proxyCpu1 !== null ? round((proxyCpu1 - proxyCpu0) / c.calls) : null,
    load_before: loadBefore,
    load_after: load(),
  };
}

const results: Record<string, Awaited<ReturnType<typeof runCase>>> = {};
for (const c of CASES) {
  progress(`${c.name}: ${c.calls} calls on each connection, interleaved (load ${load().join(' ')})`);
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
  process.stdout.write(`${name} (${r.calls_per_connection} calls each, load ${r.load_before.join(' ')} -> ${r.load_after.join(' ')})\n`);
  process.stdout.write(`  direct:  p50 ${r.p50_direct_ms} ms  p99 ${r.p99_direct_ms} ms\n`);
  process.stdout.write(`  proxied: p50 ${r.p50_proxied_ms} ms  p99 ${r.p99_proxied_ms} ms\n`);
  process.stdout.write(`  added:   p50 ${r.p50_added_ms} ms  p99 ${r.p99_added_ms} ms\n`);
  process.stdout.write(`  cpu: clients ${r.clients_cpu_ms_per_pair} ms per pair, proxy ${r.proxy_cpu_ms_per_call} ms per call\n`);
}
process.stdout.write(`targets: ordinary added p50 < 1 ms; large (${ARGUMENT_BYTES / 1024} KB arguments, ${RESULT_BYTES / 1024 / 1024} MB result) added p99 < 5 ms\n`);
const skimmed = skimmedMessages(proxied.stderr);
process.stdout.write(`audit events in Kafka: ${events} of ${proxiedCalls} proxied calls, the last ${auditLagS} s after the last answer; failures: ${failures}\n`);
process.stdout.write(`messages skimmed (hash and size only) because the audit thread fell behind: ${skimmed}\n`);
process.stdout.write(`${JSON.stringify({ bench: 'proxy', cases: results, audit_events_in_kafka: events, calls_through_proxy: proxiedCalls, audit_lag_s: auditLagS, skimmed_messages: skimmed, failures })}\n`);
process.exit(0);
