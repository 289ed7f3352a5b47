// `npm run bench:detector`: (a) events/s per core through classification and the whole shipped rule
// pack with 100,000 active users, in process, and peak memory (detector.engine.bench.ts); then
// (b) end-to-end p50/p99 from produce to alert on the alerts topic at 5,000 events/s sustained on the
// real stack (detector.e2e.bench.ts). Both parts print their own JSON line; the last line is the
// summary the issue asks for.
//
//   node --expose-gc bench/detector.bench.ts [--users 100000] [--events 1000000] [--rate 5000] [--seconds 60]
import { parseArgs } from 'node:util';
import { runE2eBench } from './detector.e2e.bench.ts';
import { runEngineBench } from './detector.engine.bench.ts';

const { values } = parseArgs({
  options: { users: { type: 'string' }, events: { type: 'string' }, rate: { type: 'string' }, seconds: { type: 'string' }, chains: { type: 'string' } },
});
const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));

process.stderr.write('part (a): the engine in process ...\n');
const engine = await runEngineBench({ users: num(values.users), events: num(values.events) });
process.stdout.write(`${JSON.stringify({ bench: 'detector.engine', ...engine })}\n`);

process.stderr.write('part (b): end to end on the real stack ...\n');
const e2e = await runE2eBench({ rate: num(values.rate), seconds: num(values.seconds), chains: num(values.chains) });
process.stdout.write(`${JSON.stringify({ bench: 'detector.e2e', ...e2e })}\n`);

process.stdout.write(
  `${JSON.stringify({
    bench: 'detector',
    events_per_s_per_core: engine.events_per_s_per_core,
    peak_rss_mb_per_100k_users: engine.peak_rss_mb_per_100k_users,
    e2e_p50_ms: e2e.e2e_p50_ms,
    e2e_p99_ms: e2e.e2e_p99_ms,
  })}\n`,
);
