// `npm run bench:ingest-transcode`: the per-event work of ingest between a Kafka value and the bytes of
// its TabSeparated line, in one process, without Kafka or ClickHouse:
//
//   old:  decodeEvent (UTF-8, JSON.parse, fast validation) -> classifyWithHints -> eventRowTsv -> Buffer.from
//   new:  EventTranscoder.line (ingest/event.transcode.ts), the old path for what it declines
//
// over the bench events of bench:ingest (bench/bench.events.ts: v1, about 530 bytes, no escapes) and
// the same events with their argument previews as JSON text (as capture writes them: every quote
// escaped, so those strings take the transcoder's slower escaped-text path). Sides run interleaved,
// old, new, new, old, ... for several rounds in the same process (both warmed up first); each figure
// is µs of CPU (process.cpuUsage, user + system) per event, and the median over rounds. The lines
// are checked equal once before timing.
import { parseArgs } from 'node:util';
import { loadCatalogue } from '../classify/catalogue.ts';
import { classifyWithHints, ToolHintsMemory } from '../classify/tool.hints.ts';
import type { KafkaOrigin } from '../ingest/event.row.ts';
import { eventRowTsv } from '../ingest/event.row.tsv.ts';
import { EventTranscoder, type ClassifyInput } from '../ingest/event.transcode.ts';
import { decodeEvent } from '../schemas/event.decode.ts';
import { DEFAULT_EVENT_MAX_BYTES } from '../schemas/event.v1.ts';
import { makeBenchMessages } from './bench.events.ts';
import { beginBench } from './lib/bench.run.ts';
import { runInterleaved } from './lib/interleave.ts';
import { median, roundTo } from './lib/stats.ts';

const HELP = `Usage: npm run bench:ingest-transcode -- [options]

CPU per event of ingest's decode-validate-classify-line work, the old path against the transcoder,
in one process, interleaved.

Options:
  --events N    bench events per data set (default 50000)
  --passes N    passes over the events per side and round (default 4)
  --rounds N    rounds (default 10)
  --help        this text`;

const { values: args } = parseArgs({
  options: { events: { type: 'string' }, passes: { type: 'string' }, rounds: { type: 'string' }, help: { type: 'boolean' } },
});
if (args.help) {
  console.log(HELP);
  process.exit(0);
}
const N = Number(args.events ?? 50_000);
const PASSES = Number(args.passes ?? 4);
const ROUNDS = Number(args.rounds ?? 10);

const run = beginBench('bench:ingest-transcode');
const catalogue = loadCatalogue();
const origin: KafkaOrigin = { topic: 'mcp.audit.events', partition: 3, offset: '1234567' };
const AT = Math.floor(Date.now() / 1000);

const plain = makeBenchMessages(N, { startMs: Date.parse('2026-11-30T00:00:00Z') }).map((m) => m.value);
/** The same events with argument previews as JSON text, as capture writes them (quotes escaped in the event's JSON). */
const escaped = plain.map((v) => {
  const e = JSON.parse(v.toString()) as { arguments?: { preview: string } };
  if (e.arguments) e.arguments.preview = JSON.stringify(Object.fromEntries(e.arguments.preview.split(' ').map((kv) => kv.split('='))));
  return Buffer.from(JSON.stringify(e));
});

function oldPath(hints: ToolHintsMemory): (bytes: Buffer) => Buffer | null {
  return (bytes) => {
    const d = decodeEvent(bytes, DEFAULT_EVENT_MAX_BYTES);
    return d.ok ? Buffer.from(eventRowTsv(d.event, origin, AT, classifyWithHints(hints, d.event, catalogue))) : null;
  };
}

function newPath(hints: ToolHintsMemory): (bytes: Buffer) => Buffer | null {
  const transcoder = new EventTranscoder();
  const old = oldPath(hints);
  const classify = (e: ClassifyInput) => classifyWithHints(hints, e, catalogue);
  return (bytes) => transcoder.line(bytes, DEFAULT_EVENT_MAX_BYTES, origin, AT, classify) ?? old(bytes);
}

const sides = { old: oldPath(new ToolHintsMemory()), new: newPath(new ToolHintsMemory()) };

/** µs of CPU per event for `passes` passes of `side` over `messages`. */
function measure(side: (b: Buffer) => Buffer | null, messages: Buffer[], passes: number): number {
  let bytes = 0;
  const before = process.cpuUsage();
  for (let p = 0; p < passes; p++) for (const m of messages) bytes += side(m)?.length ?? 0;
  const used = process.cpuUsage(before);
  if (bytes === 0) throw new Error('no line written');
  return (used.user + used.system) / (messages.length * passes);
}

const results: Record<string, { old: number[]; new: number[]; declined: number }> = {};
for (const [name, messages] of Object.entries({ plain, escaped })) {
  // Same lines on both sides, and how many the transcoder declines.
  const check = new EventTranscoder();
  const hints = new ToolHintsMemory();
  let declined = 0;
  for (const m of messages) {
    const a = sides.old(m);
    const line = check.line(m, DEFAULT_EVENT_MAX_BYTES, origin, AT, (e) => classifyWithHints(hints, e, catalogue));
    if (line === null) declined++;
    else if (a === null || !a.equals(line)) throw new Error(`lines differ for ${m.toString().slice(0, 200)}`);
  }
  // Warm-up: both sides optimized before the first timed round.
  measure(sides.old, messages, 1);
  measure(sides.new, messages, 1);
  const { rounds } = await runInterleaved(
    (['old', 'new'] as const).map((side) => ({ name: side, run: async () => measure(sides[side], messages, PASSES) })),
    ROUNDS,
    { alternate: true },
  );
  results[name] = { old: rounds.map((r) => r.old!), new: rounds.map((r) => r.new!), declined };
  for (const [i, r] of rounds.entries()) console.log(`bench:ingest-transcode: ${name} round ${i + 1}: old ${r.old!.toFixed(2)} µs, new ${r.new!.toFixed(2)} µs per event`);
  const o = median(results[name].old);
  const n = median(results[name].new);
  console.log(`bench:ingest-transcode: ${name}: median old ${o.toFixed(2)} µs, new ${n.toFixed(2)} µs per event (${(o / n).toFixed(2)}x), ${declined} of ${messages.length} declined`);
}
const frame = run.finish();
console.log(
  JSON.stringify({
    bench: 'ingest-transcode',
    events: N,
    passes: PASSES,
    rounds: ROUNDS,
    ...Object.fromEntries(Object.entries(results).map(([k, r]) => [k, { old_us: roundTo(median(r.old), 2), new_us: roundTo(median(r.new), 2), declined: r.declined }])),
    ...frame,
  }),
);
