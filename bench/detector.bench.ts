// `npm run bench:detector`: (a) events per CPU-second (and per wall second) through classification
// and the whole shipped rule pack with 100,000 active users, in process, and peak memory
// (detector.engine.bench.ts); then (b) end to end on the real stack: the highest offered rate with
// p99 produce→alert ≤ 250 ms, found by stepping the rate, and p50/p99 at half of it
// (detector.e2e.bench.ts). Both parts print their own JSON line; the last line is the summary.
//
//   npm run bench:detector -- [--users 100000] [--events 1000000] [--arrival runs|uniform] [--steps 500,1000,…] [--step-seconds 30] [--chains-per-step 600] [--p99-bound 250]
import { E2E_OPTIONS, E2E_USAGE, e2eOptionsFrom, runE2eBench } from './detector.e2e.bench.ts';
import { ENGINE_OPTIONS, ENGINE_USAGE, engineOptionsFrom, runEngineBench } from './detector.engine.bench.ts';
import { benchArgs } from './lib/bench.args.ts';

const values = benchArgs({ ...ENGINE_OPTIONS, ...E2E_OPTIONS }, `
npm run bench:detector -- [options of both parts]
Part (a), the engine in process, then part (b), end to end on the real stack; each prints its JSON
line, the last line is the summary.
${ENGINE_USAGE.replace(/^[^\n]*\n[^\n]*\n[^\n]*\n/, '').replace(/\n  --help[^\n]*$/, '')}
${E2E_USAGE.replace(/^[^\n]*\n[^\n]*\n[^\n]*\n[^\n]*\n/, '')}`);

process.stderr.write('part (a): the engine in process ...\n');
const engine = await runEngineBench(engineOptionsFrom(values));
process.stdout.write(`${JSON.stringify({ bench: 'detector.engine', ...engine })}\n`);

process.stderr.write('part (b): end to end on the real stack ...\n');
const e2e = await runE2eBench(e2eOptionsFrom(values));
process.stdout.write(`${JSON.stringify({ bench: 'detector.e2e', ...e2e })}\n`);

process.stdout.write(
  `${JSON.stringify({
    bench: 'detector',
    events_per_cpu_s: engine.events_per_cpu_s,
    events_per_s_per_core: engine.events_per_s_per_core,
    peak_rss_mb_per_100k_users: engine.peak_rss_mb_per_100k_users,
    e2e_max_sustained_rate: e2e.max_sustained_rate,
    e2e_half_rate: e2e.half_rate,
    e2e_p50_ms: e2e.e2e_p50_ms,
    e2e_p99_ms: e2e.e2e_p99_ms,
    load_before: engine.load_before,
    load_after: e2e.load_after,
    warnings: [...engine.warnings, ...e2e.warnings],
  })}\n`,
);
process.exit(0);
