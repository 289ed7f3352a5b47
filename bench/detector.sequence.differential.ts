// Do two versions of the rule engine raise the same sequence matches? This checkout's and the one in
// `--against DIR` (say a worktree of main), over random streams made to stress ordering: a few
// users, two agent runs each, calls close together, some arriving out of order, through sequence
// rules with joins, absences, `until`, repeated steps and a non-user key. For a change to the
// sequence matcher that must not change what it raises (a faster buffer, a different state layout):
// its replay of late calls is subtle, and the shipped pack's tests see few orderings.
//
//   git worktree add /tmp/base main && ln -s "$PWD/node_modules" /tmp/base/node_modules
//   npm run check:sequence-differential -- --against /tmp/base [--streams 600] [--late-ms N]
//
// Each stream is 50 to 350 calls of seven kinds (mail read, credential read, two chat posts,
// approval, file write, query), 0-30 s apart, by four users; the allowed lateness is 5 s or 60 s at
// random; 15 % of calls arrive early in the stream, their event time moved back by up to 80 % of the
// lateness (default), or by up to `--late-ms`, which can pass the lateness (then the engine
// matches them best effort, and the versions may differ where it is documented they may). A match is
// compared by rule, evidence ids and summary, in the order raised. Exit status 1 when any stream
// differs. Last stdout line: {"check":"sequence.differential","streams":…,"differing":…,…}
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { benchArgs } from './lib/bench.args.ts';
import { numberOption, toStderr } from './lib/bench.run.ts';
import { createRng } from '../simulate/rng.ts';
import { call, type CallSpec } from '../detector/rules/event.builder.ts';
import { ruleSchema, type Rule } from '../detector/rules/rule.schema.ts';
import type { AuditEvent } from '../schemas/event.ts';
import { loadCatalogue, type Catalogue } from '../classify/catalogue.ts';
import { createEngine } from '../detector/rules/engine.ts';

const rule = (yaml: string): Rule => ruleSchema.parse({ version: 1, title: 't', severity: 'high', risk_score: 50, ...parse(yaml) });

/** Every shape of sequence the matcher treats differently. */
const RULES: Rule[] = [
  rule('id: d.chain\nkind: sequence\nmaxspan: 10m\nsteps:\n  - match: { tool.class: email.read }\n  - match: { tool.class: secret.read }\n  - match: { tool.class: [chat.send, email.send] }'),
  rule('id: d.two\nkind: sequence\nmaxspan: 5m\nsteps:\n  - match: { labels: private_data }\n  - match: { labels: external_sink }'),
  rule('id: d.absent-between\nkind: sequence\nmaxspan: 10m\nsteps:\n  - match: { tool.class: secret.read }\n  - absent: true\n    match: { kind: auth_decision }\n  - match: { labels: external_sink }'),
  rule('id: d.absent-between-joined\nkind: sequence\nmaxspan: 10m\nsteps:\n  - match: { tool.class: secret.read }\n    by: [agent_run]\n  - absent: true\n    match: { kind: auth_decision }\n  - match: { labels: external_sink }\n    by: [agent_run]'),
  rule('id: d.absent-last\nkind: sequence\nmaxspan: 10m\nsteps:\n  - match: { tool.class: email.read }\n  - match: { tool.class: secret.read }\n  - absent: true\n    within: 2m\n    match: { kind: auth_decision }'),
  rule('id: d.absent-second-last\nkind: sequence\nmaxspan: 10m\nsteps:\n  - match: { tool.class: secret.read }\n  - absent: true\n    within: 2m\n    match: { kind: auth_decision }'),
  rule('id: d.until\nkind: sequence\nmaxspan: 10m\nuntil: { kind: auth_decision }\nsteps:\n  - match: { tool.class: email.read }\n  - match: { labels: external_sink }'),
  rule('id: d.repeated\nkind: sequence\nmaxspan: 3m\nsteps:\n  - match: { labels: private_data }\n  - match: { labels: private_data }\n  - match: { labels: external_sink }'),
  rule('id: d.joined-later\nkind: sequence\nmaxspan: 10m\nsteps:\n  - match: { labels: private_data }\n  - match: { labels: external_sink }\n    by: [agent_run]'),
  rule('id: d.run-key\nkind: sequence\nmaxspan: 10m\nby: [tenant_id, agent_run]\nsteps:\n  - match: { tool.class: secret.read }\n  - match: { labels: external_sink }'),
];

const CALLS: ((at: number, user: string, episode: string) => CallSpec)[] = [
  (at, user, episode) => ({ at, user, episode, server: 'gmail', tool: 'search_email' }),
  (at, user, episode) => ({ at, user, episode, server: 'filesystem', tool: 'read_file', paths: ['/home/a/.ssh/id_rsa'] }),
  (at, user, episode) => ({ at, user, episode, server: 'slack', tool: 'slack_post_message', recipients: ['#x'] }),
  (at, user, episode) => ({ at, user, episode, kind: 'auth_decision', server: 'filesystem', status: 'ok' }),
  (at, user, episode) => ({ at, user, episode, server: 'filesystem', tool: 'write_file', paths: ['/tmp/out'] }),
  (at, user, episode) => ({ at, user, episode, server: 'postgres', tool: 'query', tables: ['t'] }),
  (at, user, episode) => ({ at, user, episode, server: 'slack', tool: 'slack_post_message', recipients: ['#y'] }),
];

type CreateEngine = typeof createEngine;

export interface DifferentialResult {
  against: string;
  streams: number;
  /** Streams whose matches differ between the two versions. */
  differing: number;
  matches_a: number;
  matches_b: number;
  /** The first difference of the first differing streams (at most 3). */
  examples: { stream: number; a: string | null; b: string | null }[];
}

/** One random stream (reproducible by its number) and its allowed lateness. */
function stream(n: number, lateMs: number | null): { calls: CallSpec[]; latenessMs: number } {
  const rnd = createRng(n).next;
  const latenessMs = rnd() < 0.5 ? 5_000 : 60_000;
  const maxLate = lateMs ?? latenessMs * 0.8;
  let t = Date.UTC(2025, 5, 3, 10);
  const calls: CallSpec[] = [];
  const count = 50 + Math.floor(rnd() * 300);
  for (let i = 0; i < count; i++) {
    t += Math.floor(rnd() * 30_000);
    const early = rnd() < 0.15 ? Math.floor(rnd() * maxLate) : 0;
    const user = `u${Math.floor(rnd() * 4)}`;
    const episode = `e${Math.floor(rnd() * 2)}`;
    calls.push(CALLS[Math.floor(rnd() * CALLS.length)]!(t - early, user, episode));
  }
  return { calls, latenessMs };
}

/** What one version raises on a stream, one line per match, in the order raised. */
function raised(create: CreateEngine, catalogue: Catalogue, events: readonly AuditEvent[], latenessMs: number): string[] {
  const engine = create({ rules: RULES, catalogue, allowedLatenessMs: latenessMs });
  const out: string[] = [];
  const line = (m: ReturnType<typeof engine.process>[number]) => `${m.rule.id} ${m.evidence.map((e) => e.event_id).join(',')} ${m.summary}`;
  for (const e of events) for (const m of engine.process(e)) out.push(line(m));
  for (const m of engine.advanceWatermark(Number.MAX_SAFE_INTEGER)) out.push(line(m));
  return out;
}

export async function sequenceDifferential(opts: { against: string; streams?: number; lateMs?: number }): Promise<DifferentialResult> {
  const a = (await import(resolve(opts.against, 'detector/rules/engine.ts'))).createEngine as CreateEngine;
  const b = createEngine;
  const catalogue = loadCatalogue();
  const streams = opts.streams ?? 600;
  const result: DifferentialResult = { against: opts.against, streams, differing: 0, matches_a: 0, matches_b: 0, examples: [] };
  for (let n = 1; n <= streams; n++) {
    const { calls, latenessMs } = stream(n, opts.lateMs ?? null);
    if (n % 100 === 0) toStderr(`check:sequence-differential: ${n}/${streams} streams, ${result.differing} differing so far`);
    // Made once: ids count up as events are made, and both versions must see the same ones.
    const events = calls.map((c) => call(c));
    const ma = raised(a, catalogue, events, latenessMs);
    const mb = raised(b, catalogue, events, latenessMs);
    result.matches_a += ma.length;
    result.matches_b += mb.length;
    const at = firstDifference(ma, mb);
    if (at < 0) continue;
    result.differing++;
    if (result.examples.length < 3) result.examples.push({ stream: n, a: ma[at] ?? null, b: mb[at] ?? null });
  }
  return result;
}

function firstDifference(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return -1;
}

const USAGE = `
npm run check:sequence-differential -- --against DIR [options]
Runs random streams through this checkout's sequence matcher and the one in DIR (a checkout with
node_modules, such as a git worktree of main) and compares every match. Exit status 1 on any
difference. Last stdout line: a JSON object.
  --against DIR     the other checkout (required)
  --streams N       random streams (default 600)
  --late-ms N       how far back a call arriving early may be moved (default: 80 % of the stream's
                    lateness, so every call is within it; more tests the best-effort path too)
  --help            this text`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const values = benchArgs({ against: { type: 'string' }, streams: { type: 'string' }, 'late-ms': { type: 'string' } } as const, USAGE);
  if (!values.against) {
    process.stderr.write(`--against is required\n${USAGE}\n`);
    process.exit(2);
  }
  const result = await sequenceDifferential({ against: resolve(values.against), streams: numberOption(values.streams), lateMs: numberOption(values['late-ms']) });
  toStderr(`check:sequence-differential: ${result.differing} of ${result.streams} streams differ (matches: ${result.matches_a} against ${result.matches_b})`);
  for (const e of result.examples) toStderr(`  stream ${e.stream}, first difference:\n    DIR:  ${shown(e.a)}\n    here: ${shown(e.b)}`);
  process.stdout.write(`${JSON.stringify({ check: 'sequence.differential', ...result })}\n`);
  process.exitCode = result.differing > 0 ? 1 : 0;
}

function shown(line: string | null): string {
  return line === null ? '(nothing)' : line.slice(0, 200);
}
