// `npm run bench:ingest-formats`: what ClickHouse 18.16 itself spends to store the rows of the events
// table, by insert format and batch size: the share of `bench:ingest` that is ClickHouse's CPU for our
// inserts, apart from Node, Kafka and the network.
//
//   1. a private ClickHouse server (own data folder and ports, stopped at the end) unless --shared,
//      so the CPU counted is this bench's alone and not other sessions' queries on the stack's server;
//   2. N bench events (bench/bench.events.ts) made into ingest's own TabSeparated lines (decodeEvent,
//      classifyWithHints, eventRowTsv: what the fallback path writes, byte for byte what the
//      transcoder writes), inserted once into a source table;
//   3. the other formats' bodies asked from ClickHouse itself (`SELECT ... FORMAT RowBinary` per batch
//      of Kafka offsets), so their encoding is certainly right; TabSeparated in the table's column
//      order (no column list) is our lines with their fields moved;
//   4. rounds, variants interleaved (order reversed every other round), each into a fresh table with
//      its merges stopped: the server's utime + stime (/proc/<pid>/stat) before and after each insert
//      request (and of it the kernel's, which is where the cost of a part's ~160 files shows), and
//      the wall time of each; then merges started again and their CPU counted until the table has
//      none for a few seconds (18.16 resumes them late, so usually none ran: --merges-during-inserts
//      leaves them running as ingest does). The server's idle CPU (measured before) is subtracted.
//   5. every table's rows are checked equal to the source's (RowBinary bytes of every column, hashed).
//
// Progress goes to stderr, results to stdout; the last line is one JSON object with the figures.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalogue } from '../classify/catalogue.ts';
import { classifyWithHints, ToolHintsMemory } from '../classify/tool.hints.ts';
import { createClickHouse } from '../core/clickhouse.ts';
import { loadConfig } from '../core/config.ts';
import { createLogger } from '../core/logger.ts';
import { EVENT_COLUMNS, eventRowTsv } from '../ingest/event.row.tsv.ts';
import { migrate } from '../migrations/migrate.ts';
import { decodeEvent } from '../schemas/event.decode.ts';
import { DEFAULT_EVENT_MAX_BYTES } from '../schemas/event.v1.ts';
import { clickhousePid } from '../stack/clickhouse.process.ts';
import { clickhouseUrl, stackInstances, startClickHouse, stopClickHouse, type ClickHouseInstance } from '../stack/stack.ts';
import { freePort } from '../stack/free.port.ts';
import { makeBenchMessages } from './bench.events.ts';
import { benchArgs } from './lib/bench.args.ts';
import { beginBench, numberOption } from './lib/bench.run.ts';
import { CpuMeter } from './lib/cpu.meter.ts';
import { runInterleaved } from './lib/interleave.ts';
import { clockTicks, readProcStat } from './lib/proc.stat.ts';
import { median, quantile, roundTo } from './lib/stats.ts';

type Format = 'TabSeparated' | 'RowBinary' | 'Native';
interface Variant {
  name: string;
  format: Format;
  batchRows: number;
  /** With the column list of ingest (EVENT_COLUMNS); without: the table's own order. */
  columnList: boolean;
}
const VARIANTS: Variant[] = [
  { name: 'tsv-20k', format: 'TabSeparated', batchRows: 20_000, columnList: true },
  { name: 'tsv-50k', format: 'TabSeparated', batchRows: 50_000, columnList: true },
  { name: 'tsv-100k', format: 'TabSeparated', batchRows: 100_000, columnList: true },
  { name: 'tsv-table-order-20k', format: 'TabSeparated', batchRows: 20_000, columnList: false },
  { name: 'rowbinary-20k', format: 'RowBinary', batchRows: 20_000, columnList: true },
  { name: 'rowbinary-100k', format: 'RowBinary', batchRows: 100_000, columnList: true },
  { name: 'native-20k', format: 'Native', batchRows: 20_000, columnList: true },
];

const HELP = `Usage: npm run bench:ingest-formats -- [options]

ClickHouse's CPU (server utime + stime) and wall time to insert the events rows of ingest, per format
and batch size, interleaved over rounds, each into a fresh table; merges counted apart.

Options:
  --events N      rows per variant and round (default 300000)
  --rounds N      rounds (default 3)
  --variants A,B  variants to run (default all): ${VARIANTS.map((v) => v.name).join(', ')}
  --merges-during-inserts  leave merges running while inserting (as in ingest); by default they are
                  stopped for the inserts and counted after them
  --shared        use the stack's ClickHouse (MCP_AUDIT_STACK_DIR) instead of a private server
  --help          this text`;

const args = benchArgs(
  { events: { type: 'string' }, rounds: { type: 'string' }, variants: { type: 'string' }, shared: { type: 'boolean' }, 'merges-during-inserts': { type: 'boolean' } },
  HELP,
);
const N = numberOption(args.events) ?? 300_000;
const ROUNDS = numberOption(args.rounds) ?? 3;
const chosen = args.variants ? args.variants.split(',').map((n) => VARIANTS.find((v) => v.name === n) ?? fail(`unknown variant ${n}`)) : VARIANTS;
/** Merges are done when the table has had none for this long. */
const MERGES_QUIET_MS = 8_000;
const MERGES_MAX_MS = 180_000;
const SRC = 'fmt_src';
const RUN = 'fmt_run';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}
const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- the server -------------------------------------------------------------------------------

const log = createLogger('warn', 'bench');
let own: ClickHouseInstance | undefined;
let url: string;
let pid: number;
if (args.shared) {
  const inst = stackInstances(loadConfig()).clickhouse;
  url = clickhouseUrl(inst);
  pid = clickhousePid(inst) ?? fail('the stack has no running ClickHouse (npx mcp-audit stack up)');
} else {
  own = { dir: mkdtempSync(join(tmpdir(), 'mcpa-ch-formats-')), httpPort: await freePort(), tcpPort: await freePort() };
  progress(`starting a private ClickHouse in ${own.dir}`);
  await startClickHouse(own, log);
  url = clickhouseUrl(own);
  pid = clickhousePid(own)!;
}

/**
 * One HTTP request on a connection of its own (a kept-alive socket that the server closes as it is
 * reused fails the request, and an insert cannot simply be sent again); the answer's bytes.
 */
function ch(query: string, body?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/?query=${encodeURIComponent(query)}`, { method: 'POST', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const out = Buffer.concat(chunks);
        if (res.statusCode === 200) resolve(out);
        else reject(new Error(`ClickHouse ${res.statusCode} on ${query.slice(0, 120)}: ${out.toString().slice(0, 500)}`));
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
const text = async (query: string) => (await ch(query)).toString().trim();
const cpuTicks = () => readProcStat(pid)?.ticks ?? NaN;
/** The server's system (kernel) time in ticks: /proc/<pid>/stat's 15th field. */
const systemTicks = (): number => {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[12]);
  } catch {
    return NaN;
  }
};

// ---- the data -----------------------------------------------------------------------------------

async function main(): Promise<void> {
  const run = beginBench('bench:ingest-formats');
  progress(`making ${N.toLocaleString('en-US')} rows`);
  const catalogue = loadCatalogue();
  const hints = new ToolHintsMemory();
  const AT = Math.floor(Date.now() / 1000);
  const lines = makeBenchMessages(N, { startMs: Date.parse('2026-11-30T00:00:00Z') }).map((m, i) => {
    const d = decodeEvent(m.value, DEFAULT_EVENT_MAX_BYTES);
    if (!d.ok) throw new Error(`bench event ${i} invalid: ${d.reason}`);
    return Buffer.from(eventRowTsv(d.event, { topic: 'mcp.audit.events', partition: i % 6, offset: String(i) }, AT, classifyWithHints(hints, d.event, catalogue)));
  });

  await ch(`DROP DATABASE IF EXISTS ${SRC}`);
  await ch(`DROP DATABASE IF EXISTS ${RUN}`);
  await ch(`CREATE DATABASE ${SRC}`);
  await ch(`CREATE DATABASE ${RUN}`);
  const client = createClickHouse({ url, username: 'default', password: '', database: null });
  await migrate(client, SRC, log);
  await client.close();
  const columns = EVENT_COLUMNS.join(', ');
  const tableOrder = (await text(`DESCRIBE TABLE ${SRC}.events FORMAT TabSeparated`)).split('\n').map((l) => l.split('\t')[0]!);
  const moveTo = tableOrder.map((c) => EVENT_COLUMNS.indexOf(c as (typeof EVENT_COLUMNS)[number]));
  if (moveTo.some((i) => i < 0) || tableOrder.length !== EVENT_COLUMNS.length) throw new Error(`the table's columns differ from EVENT_COLUMNS: ${tableOrder.join()}`);

  const ranges = (rows: number): [number, number][] => Array.from({ length: Math.ceil(N / rows) }, (_, b) => [b * rows, Math.min(N, (b + 1) * rows)]);
  progress('inserting the source table');
  for (const [lo, hi] of ranges(20_000)) await ch(`INSERT INTO ${SRC}.events (${columns}) FORMAT TabSeparated`, Buffer.concat(lines.slice(lo, hi)));

  const bodies = new Map<string, Buffer[]>();
  progress('making the bodies of every variant');
  for (const v of chosen) {
    const list: Buffer[] = [];
    bodies.set(v.name, list);
    for (const [lo, hi] of ranges(v.batchRows)) {
      list.push(
        await (async () => {
          if (v.format !== 'TabSeparated') {
            return ch(`SELECT ${columns} FROM ${SRC}.events WHERE kafka_offset >= ${lo} AND kafka_offset < ${hi} ORDER BY kafka_offset FORMAT ${v.format}`);
          }
          if (v.columnList) return Buffer.concat(lines.slice(lo, hi));
          return Buffer.from(
            lines
              .slice(lo, hi)
              .map((l) => {
                const f = l.toString('utf8', 0, l.length - 1).split('\t');
                return `${moveTo.map((i) => f[i]).join('\t')}\n`;
              })
              .join(''),
          );
        })(),
      );
    }
  }
  const digest = async (table: string) => createHash('sha256').update(await ch(`SELECT ${columns} FROM ${table} ORDER BY kafka_offset FORMAT RowBinary`)).digest('hex');
  const expected = await digest(`${SRC}.events`);

  // ---- measuring --------------------------------------------------------------------------------

  const hz = clockTicks();
  async function idleTicksPerSecond(ms: number): Promise<number> {
    const t0 = cpuTicks();
    const w0 = performance.now();
    await sleep(ms);
    return ((cpuTicks() - t0) * 1000) / (performance.now() - w0);
  }
  /** Waits until `table` has had no merges for MERGES_QUIET_MS; the ms waited. */
  async function mergesDone(table: string): Promise<number> {
    const start = performance.now();
    let quietSince = performance.now();
    while (performance.now() - start < MERGES_MAX_MS) {
      const merging = Number(await text(`SELECT count() FROM system.merges WHERE database = '${RUN}' AND table = '${table}'`));
      if (merging > 0) quietSince = performance.now();
      else if (performance.now() - quietSince >= MERGES_QUIET_MS) return quietSince - start;
      await sleep(250);
    }
    return performance.now() - start;
  }

  progress('measuring the server at rest');
  await sleep(2_000);
  const idle = await idleTicksPerSecond(5_000);
  progress(`idle: ${(idle / hz).toFixed(3)} CPU-s per second`);

  interface Result {
    insert_cpu_s: number;
  /** Of which in the kernel (system time). */
  insert_system_cpu_s: number;
    insert_wall_s: number;
    per_insert_wall_ms: number[];
    merge_cpu_s: number;
    merge_wall_s: number;
    parts_after: number;
    bytes: number;
  }

  let stopMerges = !args['merges-during-inserts'];
  const sides = chosen.map((v) => ({
    name: v.name,
    run: async (round: number): Promise<Result> => {
      const table = `${v.name.replaceAll('-', '_')}_${round}`;
      const t = `${RUN}.${table}`;
      await ch(`CREATE TABLE ${t} AS ${SRC}.events`);
      if (stopMerges) {
        try {
          await ch(`SYSTEM STOP MERGES ${t}`);
        } catch (err) {
          stopMerges = false;
          progress(`SYSTEM STOP MERGES refused, merges overlap the inserts: ${(err as Error).message.slice(0, 200)}`);
        }
      }
      await sleep(500);
      const query = `INSERT INTO ${t}${v.columnList ? ` (${columns})` : ''} FORMAT ${v.format}`;
      const meter = new CpuMeter([{ name: 'clickhouse', pids: () => [pid] }]).start();
      const perInsert: number[] = [];
      let ticks = 0;
      let sys = 0;
      let wall = 0;
      let bytes = 0;
      for (const body of bodies.get(v.name)!) {
        const t0 = cpuTicks();
        const s0 = systemTicks();
        const w0 = performance.now();
        await ch(query, body);
        sys += systemTicks() - s0;
        const w = performance.now() - w0;
        ticks += cpuTicks() - t0 - (idle * w) / 1000;
        wall += w;
        perInsert.push(w);
        bytes += body.length;
      }
      run.window(`${v.name} round ${round + 1} inserts`, meter.stop());
      const m0 = cpuTicks();
      const mw0 = performance.now();
      if (stopMerges) await ch(`SYSTEM START MERGES ${t}`);
      const waited = await mergesDone(table);
      const mergeWall = performance.now() - mw0;
      // The quiet time at the end is idle, not merging.
      const mergeTicks = cpuTicks() - m0 - (idle * mergeWall) / 1000;
      const parts = Number(await text(`SELECT count() FROM system.parts WHERE database = '${RUN}' AND table = '${table}' AND active`));
      if (round === 0 && (await digest(t)) !== expected) throw new Error(`${v.name}: the stored rows differ from the source's`);
      await ch(`DROP TABLE ${t}`);
      const r: Result = {
        insert_cpu_s: roundTo(ticks / hz),
      insert_system_cpu_s: roundTo(sys / hz),
        insert_wall_s: roundTo(wall / 1000),
        per_insert_wall_ms: perInsert.map((x) => roundTo(x, 1)),
        merge_cpu_s: roundTo(mergeTicks / hz),
        merge_wall_s: roundTo(waited / 1000, 1),
        parts_after: parts,
        bytes,
      };
      progress(`${v.name} round ${round + 1}: insert ${r.insert_cpu_s} CPU-s (kernel ${r.insert_system_cpu_s}) in ${r.insert_wall_s} s, merges ${r.merge_cpu_s} CPU-s, ${parts} parts`);
      return r;
    },
  }));

  const results = await runInterleaved(sides, ROUNDS, { alternate: true });

  // ---- report -----------------------------------------------------------------------------------

  const perM = (s: number) => roundTo((s * 1_000_000) / N, 2);
  const summary = chosen.map((v) => {
    const rs = results.rounds.map((r) => r[v.name]!);
    const walls = rs.flatMap((r) => r.per_insert_wall_ms);
    return {
      variant: v.name,
      format: v.format,
      batch_rows: v.batchRows,
      column_list: v.columnList,
      bytes_per_row: roundTo(rs[0]!.bytes / N, 1),
      insert_cpu_s_per_1m: rs.map((r) => perM(r.insert_cpu_s)),
      insert_cpu_s_per_1m_median: perM(median(rs.map((r) => r.insert_cpu_s))),
      insert_system_cpu_s_per_1m: rs.map((r) => perM(r.insert_system_cpu_s)),
      insert_wall_s_per_1m_median: perM(median(rs.map((r) => r.insert_wall_s))),
      insert_wall_ms_p50: roundTo(median(walls), 1),
      insert_wall_ms_max: roundTo(quantile(walls, 1), 1),
      merge_cpu_s_per_1m_median: perM(median(rs.map((r) => r.merge_cpu_s))),
      parts_after: rs.map((r) => r.parts_after),
    };
  });
  const base = summary.find((s) => s.variant === 'tsv-20k');
  console.log(`\nClickHouse ${own ? '18.16 (private server)' : 'stack server (shared)'}, ${N.toLocaleString('en-US')} rows per variant, ${ROUNDS} rounds; CPU-s per 1M rows (idle ${(idle / hz).toFixed(3)} CPU-s/s subtracted)`);
  console.log('| variant | bytes/row | insert CPU-s / 1M (rounds) | of which kernel | median | vs tsv-20k | insert wall s / 1M | wall ms per insert p50 / max | merges CPU-s / 1M | parts after |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const s of summary) {
    const vs = base ? `${Math.round((s.insert_cpu_s_per_1m_median / base.insert_cpu_s_per_1m_median - 1) * 100)} %` : '';
    console.log(
      `| ${s.variant} | ${s.bytes_per_row} | ${s.insert_cpu_s_per_1m.join(', ')} | ${s.insert_system_cpu_s_per_1m.join(', ')} | ${s.insert_cpu_s_per_1m_median} | ${vs} | ${s.insert_wall_s_per_1m_median} | ${s.insert_wall_ms_p50} / ${s.insert_wall_ms_max} | ${s.merge_cpu_s_per_1m_median} | ${s.parts_after.join(', ')} |`,
    );
  }
  if (stopMerges && summary.every((x, i) => x.parts_after.every((p) => p === bodies.get(chosen[i]!.name)!.length))) {
    console.log('note: no part was merged after SYSTEM START MERGES within the quiet window (18.16 resumes them late), so the merges column is idle time; --merges-during-inserts counts inserts with the merges they cause');
  }
  const frame = run.finish();
  console.log(JSON.stringify({ bench: 'ingest-formats', events: N, rounds: ROUNDS, private_server: !!own, merges_stopped_during_inserts: stopMerges, idle_cpu_s_per_s: roundTo(idle / hz), summary, ...frame }));
}

try {
  await main();
} finally {
  await ch(`DROP DATABASE IF EXISTS ${RUN}`).catch(() => undefined);
  await ch(`DROP DATABASE IF EXISTS ${SRC}`).catch(() => undefined);
  if (own) {
    await stopClickHouse(own);
    rmSync(own.dir, { recursive: true, force: true });
  }
}
