// `npm run bench:proxy` (node bench/proxy.bench.ts): the latency `mcp-audit proxy` adds to an MCP
// call, side by side in one run (docs/architecture.md, How we measure).
//
//   1. stack up; a fresh bench topic, so the proxy produces one real audit event per call to Kafka;
//   2. two real SDK clients over stdio to the real filesystem MCP server: one spawns the server
//      directly, one spawns `mcp-audit proxy -- <the same server>`;
//   3. open loop at --rate calls/s on EACH connection: every tick issues one call on both, in
//      alternating order, without waiting for answers (so a slow answer cannot slow the schedule);
//   4. after a warm-up, every call's latency is recorded; prints p50/p99 of both and their difference.
//
// The tool called is `list_allowed_directories` (no disk access), so the server's own time is small
// and stable and the difference is the proxy. Progress goes to stderr, results to stdout; the last
// line is one JSON object: {"bench":"proxy","p50_added_ms":…,"p99_added_ms":…, ...}.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

const HELP = `Usage: npm run bench:proxy -- [options]

Latency added by mcp-audit proxy per MCP call (stdio), against a direct connection to the same
server, both driven at the same rate in one run. Last output line: one JSON object.

Options:
  --rate N       calls per second on each connection (default 500)
  --seconds N    measured seconds (default 20)
  --warmup N     seconds before measuring (default 3)
  --help
`;

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const rate = Number(args.rate);
const seconds = Number(args.seconds);
const warmup = Number(args.warmup);

const BIN = fileURLToPath(new URL('../bin/mcp-audit.js', import.meta.url));
const FS_SERVER = fileURLToPath(new URL('../node_modules/@modelcontextprotocol/server-filesystem/dist/index.js', import.meta.url));
const progress = (msg: string) => process.stderr.write(`${msg}\n`);

const log = createLogger('warn', 'bench');
const config = loadConfig();
await stackUp(config, log);
const topic = `bench.proxy.${Date.now()}`;
await createTopics(config.kafka.brokers, [{ name: topic, partitions: 1 }], log);

const root = mkdtempSync(join(tmpdir(), 'mcpa-bench-fs-'));
const env = {
  ...(process.env as Record<string, string>),
  MCP_AUDIT_TOPIC_EVENTS: topic,
  MCP_AUDIT_LOG_LEVEL: 'warn',
  MCP_AUDIT_CAPTURE_SPILL_DIR: mkdtempSync(join(tmpdir(), 'mcpa-bench-spill-')),
};

async function connect(command: string, commandArgs: string[]): Promise<Client> {
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(new StdioClientTransport({ command, args: commandArgs, env, stderr: 'ignore' }));
  return client;
}

const direct = await connect(process.execPath, [FS_SERVER, root]);
const proxied = await connect(process.execPath, [BIN, 'proxy', '--user', 'bench', '--', process.execPath, FS_SERVER, root]);
progress(`connected; ${rate} calls/s on each connection, ${warmup} s warm-up, ${seconds} s measured`);

const latencies = { direct: [] as number[], proxied: [] as number[] };
let failures = 0;
let issued = 0;
const pending: Promise<void>[] = [];

function fire(client: Client, into: number[] | null): void {
  const t0 = performance.now();
  pending.push(
    client.callTool({ name: 'list_allowed_directories', arguments: {} }).then(
      () => void into?.push(performance.now() - t0),
      () => void failures++,
    ),
  );
}

// Open loop: ticks are scheduled from the start time, not from the previous tick, so timer jitter
// does not lower the rate; a late tick issues the calls it owes at once.
const intervalMs = 1000 / rate;
const start = performance.now();
const measureFrom = start + warmup * 1000;
const end = measureFrom + seconds * 1000;
await new Promise<void>((resolve) => {
  const tick = () => {
    const now = performance.now();
    while (start + issued * intervalMs <= now && now < end) {
      const measuring = now >= measureFrom;
      // Alternate which connection goes first so neither always waits behind the other.
      const pair: [Client, number[] | null][] = [
        [direct, measuring ? latencies.direct : null],
        [proxied, measuring ? latencies.proxied : null],
      ];
      if (issued % 2) pair.reverse();
      for (const [c, into] of pair) fire(c, into);
      issued++;
    }
    if (now >= end) resolve();
    else setTimeout(tick, Math.max(0, start + issued * intervalMs - performance.now()));
  };
  tick();
});
await Promise.all(pending);
await direct.close();
await proxied.close(); // the proxy delivers its last events, then exits

const admin = createKafka(config.kafka, log).admin();
await admin.connect();
// Give the exiting proxy a moment to finish its last send.
await new Promise((r) => setTimeout(r, 2_000));
const events = (await admin.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high), 0);
await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
await admin.disconnect();

const q = (xs: number[], p: number) => quantileSorted(xs, p);
const round = (x: number) => Math.round(x * 1000) / 1000;
const d = latencies.direct.sort((a, b) => a - b);
const p = latencies.proxied.sort((a, b) => a - b);
const result = {
  bench: 'proxy',
  p50_added_ms: round(q(p, 0.5) - q(d, 0.5)),
  p99_added_ms: round(q(p, 0.99) - q(d, 0.99)),
  p50_direct_ms: round(q(d, 0.5)),
  p99_direct_ms: round(q(d, 0.99)),
  p50_proxied_ms: round(q(p, 0.5)),
  p99_proxied_ms: round(q(p, 0.99)),
  rate_per_connection: rate,
  measured_calls_per_connection: p.length,
  failures,
  audit_events_in_kafka: events,
  calls_through_proxy: issued,
};
process.stdout.write(`direct:  p50 ${result.p50_direct_ms} ms  p99 ${result.p99_direct_ms} ms\n`);
process.stdout.write(`proxied: p50 ${result.p50_proxied_ms} ms  p99 ${result.p99_proxied_ms} ms\n`);
process.stdout.write(`added:   p50 ${result.p50_added_ms} ms  p99 ${result.p99_added_ms} ms (target p50 < 1, p99 < 5)\n`);
process.stdout.write(`audit events in Kafka: ${events} of ${issued} proxied calls; failures: ${failures}\n`);
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
