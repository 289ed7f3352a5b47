import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { alertV1 } from '../../schemas/alert.v1.ts';
import { loadCatalogue } from '../../classify/catalogue.ts';
import { toAlert } from './alert.ts';
import { createEngine, type RuleMatch } from './engine.ts';
import { call, timeOf, type CallSpec } from './event.builder.ts';
import { ruleSchema, type Rule } from './rule.schema.ts';
import type { AuditEventV1 } from '../../schemas/event.v1.ts';
import { parseYamlWith } from '../../core/yaml.load.ts';

const catalogue = loadCatalogue();
const rule = (yaml: string): Rule => ruleSchema.parse({ version: 1, title: 't', severity: 'high', risk_score: 50, ...parse(yaml) });

const mail = (at: string | number, o: Partial<CallSpec> = {}): CallSpec => ({ at, server: 'gmail', tool: 'search_email', ...o });
const secret = (at: string | number, o: Partial<CallSpec> = {}): CallSpec => ({ at, server: 'filesystem', tool: 'read_file', paths: ['/home/a/.ssh/id_rsa'], ...o });
const send = (at: string | number, o: Partial<CallSpec> = {}): CallSpec => ({ at, server: 'slack', tool: 'slack_post_message', recipients: ['#x'], ...o });
const approve = (at: string | number, o: Partial<CallSpec> = {}): CallSpec => ({ at, kind: 'auth_decision', server: 'filesystem', status: 'ok', ...o });
const write = (at: string | number, o: Partial<CallSpec> = {}): CallSpec => ({ at, server: 'filesystem', tool: 'write_file', paths: ['/tmp/out'], ...o });

const chain = rule(`
id: t.chain
kind: sequence
maxspan: 10m
steps:
  - match: { tool.class: email.read }
  - match: { tool.class: secret.read }
  - match: { tool.class: [chat.send, email.send] }
`);

/** A credential read, then a file write with no approval in between. */
const between = rule(`
id: t.between
kind: sequence
maxspan: 10m
steps:
  - match: { tool.class: secret.read }
  - absent: true
    match: { kind: auth_decision }
  - match: { tool.class: file.write }
`);

function run(rules: Rule[], specs: (CallSpec | AuditEventV1)[], latenessMs = 5_000, flush = true): RuleMatch[] {
  const engine = createEngine({ rules, catalogue, allowedLatenessMs: latenessMs });
  const out: RuleMatch[] = [];
  for (const s of specs) out.push(...engine.process('schema_version' in s ? s : call(s)));
  if (flush) out.push(...engine.advanceWatermark(Number.MAX_SAFE_INTEGER));
  return out;
}

describe('sequence', () => {
  it('fires at exactly maxspan and not 1 ms past it', () => {
    expect(run([chain], [mail(0 + timeOf('+0s')), secret('+1m'), send(timeOf('+10m'))])).toHaveLength(1);
    expect(run([chain], [mail(timeOf('+0s')), secret('+1m'), send(timeOf('+10m') + 1)])).toHaveLength(0);
  });

  it('returns the evidence in event-time order and builds a valid alert from it', () => {
    const [m] = run([chain], [mail('+0s'), secret('+1m'), send('+2m')]);
    expect(m!.evidence.map((e) => e.tool?.name)).toEqual(['search_email', 'read_file', 'slack_post_message']);
    expect(m!.evidence_classes).toEqual(['email.read', 'secret.read', 'chat.send']);
    const alert = toAlert(m!, { incidentId: 'a'.repeat(64), detectedAt: new Date() });
    expect(alertV1.safeParse(alert).success).toBe(true);
    expect(alert.tags).toEqual(expect.arrayContaining(['private_data', 'external_sink']));
  });

  it('handles out-of-order arrival within the allowed lateness', () => {
    // The credential read arrives after the send, 30 s late in event time; lateness is 60 s.
    expect(run([chain], [mail('+0s'), send('+2m'), secret('+1m30s')], 60_000)).toHaveLength(1);
    // Same arrival order, but the read is later than the lateness: best effort, no chain.
    expect(run([chain], [mail('+0s'), send('+2m'), secret('+1m30s')], 10_000)).toHaveLength(0);
  });

  it('replays a busy key whose buffer is at its cap in event-time order', () => {
    // 600 mail reads 400 ms apart: more first steps than the key buffers (256), so the oldest go.
    const busy = Array.from({ length: 600 }, (_, i) => mail(timeOf('+0s') + i * 400));
    expect(run([chain], [...busy, send('+4m5s'), secret('+4m1s')], 60_000)).toHaveLength(1);
    expect(run([chain], [...busy, send('+4m5s')], 60_000)).toHaveLength(0);
  });

  it('keeps users apart when their events interleave', () => {
    const bob = { user: 'bob@acme.com' };
    expect(run([chain], [mail('+0s'), secret('+10s', bob), secret('+20s'), mail('+30s', bob), send('+40s', bob), send('+50s')])).toHaveLength(1);
    const both = run([chain], [mail('+0s'), mail('+1s', bob), secret('+2s', bob), secret('+3s'), send('+4s'), send('+5s', bob)]);
    expect(both.map((m) => m.evidence[0]!.actor.user_id).sort()).toEqual(['alice@acme.com', 'bob@acme.com']);
  });

  it('raises one alert per chain even with repeated steps', () => {
    expect(run([chain], [mail('+0s'), mail('+10s'), secret('+20s'), secret('+30s'), send('+40s'), send('+50s')])).toHaveLength(1);
  });

  it('starts a chain at the latest first step, also when one call is two steps', () => {
    const twice = rule(`
id: t.twice
kind: sequence
maxspan: 10m
steps:
  - match: { labels: private_data }
  - match: { labels: private_data }
  - match: { labels: external_sink }
`);
    const read = (at: string, path: string): CallSpec => ({ at, server: 'filesystem', tool: 'read_file', paths: [path] });
    const matches = run([twice], [read('+0s', '/p/a'), read('+1m', '/p/b'), read('+2m', '/p/c'), send('+3m')]);
    expect(matches).toHaveLength(1);
    expect(matches[0]!.evidence.map((e) => e.resource?.paths?.[0] ?? e.tool?.name)).toEqual(['/p/b', '/p/c', 'slack_post_message']);
  });

  it('joins steps on per-step keys', () => {
    const joined = rule(`
id: t.join
kind: sequence
maxspan: 10m
steps:
  - match: { tool.class: file.read }
    by: [resource.paths]
  - match: { tool.class: file.write }
    by: [resource.paths]
`);
    const read = (at: string, path: string): CallSpec => ({ at, server: 'filesystem', tool: 'read_file', paths: [path] });
    expect(run([joined], [read('+0s', '/a'), write('+1m', { paths: ['/b'] })])).toHaveLength(0);
    expect(run([joined], [read('+0s', '/a'), write('+1m', { paths: ['/b'] }), write('+2m', { paths: ['/c', '/a'] })])).toHaveLength(1);
    // Two reads of different paths, each joined with its own write.
    expect(run([joined], [read('+0s', '/a'), read('+1s', '/b'), write('+2s', { paths: ['/b'] }), write('+3s', { paths: ['/a'] })])).toHaveLength(2);
  });

  it('cancels partial matches with `until`', () => {
    const withUntil = rule(`
id: t.until
kind: sequence
maxspan: 10m
until: { kind: auth_decision, result.status: ok }
steps:
  - match: { tool.class: secret.read }
  - match: { tool.class: file.write }
`);
    expect(run([withUntil], [secret('+0s'), approve('+1m'), write('+2m')])).toHaveLength(0);
    expect(run([withUntil], [secret('+0s'), write('+2m')])).toHaveLength(1);
    // An approval cancels only what started before it.
    expect(run([withUntil], [approve('+0s'), secret('+1m'), write('+2m')])).toHaveLength(1);
  });

  it('fires an absence step only once its window has passed without the event', () => {
    const absent = rule(`
id: t.absent
kind: sequence
maxspan: 10m
steps:
  - match: { tool.class: secret.read }
  - absent: true
    within: 5m
    match: { kind: auth_decision, result.status: ok }
`);
    // No approval at all: fires when the watermark passes read + 5m.
    const engine = createEngine({ rules: [absent], catalogue, allowedLatenessMs: 0 });
    expect(engine.process(call(secret('+0s')))).toHaveLength(0);
    expect(engine.advanceWatermark(timeOf('+5m'))).toHaveLength(0);
    expect(engine.advanceWatermark(timeOf('+5m') + 1)).toHaveLength(1);
    // An approval exactly at the deadline counts; one just after does not.
    expect(run([absent], [secret('+0s'), approve('+5m')], 0)).toHaveLength(0);
    expect(run([absent], [secret('+0s'), approve(timeOf('+5m') + 1)], 0)).toHaveLength(1);
    // A late approval within the allowed lateness still cancels: the timer waits for the watermark.
    expect(run([absent], [secret('+0s'), send('+5m30s'), approve('+4m')], 60_000)).toHaveLength(0);
    // Another user's events move the watermark too.
    const e2 = createEngine({ rules: [absent], catalogue, allowedLatenessMs: 0 });
    e2.process(call(secret('+0s')));
    expect(e2.process(call(send('+6m', { user: 'bob@acme.com' })))).toHaveLength(1);
  });

  it('cancels on an absence step between two steps', () => {
    expect(run([between], [secret('+0s'), approve('+1m'), write('+2m')])).toHaveLength(0);
    expect(run([between], [secret('+0s'), write('+2m')])).toHaveLength(1);
  });

  it('chains a first step that arrives after its later steps, within the lateness, for a user with no state yet', () => {
    // The approval and the write reach the engine first: steps 2 and 3 of a user with nothing open.
    expect(run([between], [write('+2m'), secret('+30s')], 5 * 60_000)).toHaveLength(1);
    expect(run([between], [approve('+1m'), write('+2m'), secret('+30s')], 5 * 60_000)).toHaveLength(0);
    // Later than the lateness, the read is matched best effort: it starts a chain the write cannot end.
    expect(run([between], [write('+2m'), secret('+30s')], 10_000)).toHaveLength(0);
    // Other users' calls in between, and the first step of one of them, change nothing.
    const other = (at: string) => ({ user: 'bob@acme.com', at });
    expect(run([between], [write('+2m'), secret(other('+2m10s').at, other('+2m10s')), write(other('+2m20s').at, other('+2m20s')), secret('+30s')], 5 * 60_000)).toHaveLength(2);
  });

  it('expires partial matches and forgets idle users', () => {
    const engine = createEngine({ rules: [chain], catalogue, allowedLatenessMs: 0 });
    engine.process(call(mail('+0s')));
    engine.process(call(secret('+1m')));
    expect(engine.stats().users).toBe(1);
    // Another user's traffic two hours later sweeps alice's expired state.
    engine.process(call(mail('+2h', { user: 'bob@acme.com' })));
    engine.advanceWatermark(timeOf('+2h10m'));
    expect(engine.stats().users).toBe(1);
    expect(engine.process(call(send('+2h11m')))).toHaveLength(0);
  });

  it('ignores the same event id processed twice', () => {
    const events = [call(mail('+0s')), call(secret('+1m')), call(send('+2m'))];
    const engine = createEngine({ rules: [chain], catalogue });
    const first = events.flatMap((e) => engine.process(e));
    const again = events.flatMap((e) => engine.process(e));
    expect(first).toHaveLength(1);
    expect(again).toHaveLength(0);
    expect(engine.stats().duplicates).toBe(3);
  });

  it('tells a redelivered event from a different event of the same instant', () => {
    const engine = createEngine({ rules: [chain], catalogue });
    const a = call(mail('+0s'));
    const b = call(mail('+0s'));
    const later = call(mail('+1m'));
    for (const e of [a, b, later, b, later]) engine.process(e);
    expect(engine.stats().events).toBe(5);
    expect(engine.stats().duplicates).toBe(2);
  });
});

describe('threshold, pattern, suppress', () => {
  it('counts within a sliding window and stays quiet for one window after firing', () => {
    const t = rule(`
id: t.threshold
kind: threshold
window: 1m
threshold: 3
match: { tool.class: secret.read }
`);
    expect(run([t], [secret('+0s'), secret('+30s'), secret('+61s')])).toHaveLength(0);
    expect(run([t], [secret('+0s'), secret('+30s'), secret('+60s'), secret('+61s'), secret('+62s')])).toHaveLength(1);
    // Out of order within the lateness.
    expect(run([t], [secret('+0s'), secret('+50s'), secret('+20s')], 60_000)).toHaveLength(1);
  });

  it('counts distinct values', () => {
    const t = rule(`
id: t.distinct
kind: threshold
window: 10m
threshold: 2
distinct: resource.paths
match: { tool.class: secret.read }
`);
    expect(run([t], [secret('+0s'), secret('+1m')])).toHaveLength(0);
    expect(run([t], [secret('+0s'), secret('+1m', { paths: ['/home/a/.aws/credentials'] })])).toHaveLength(1);
  });

  it('counts distinct values among many repeats of one, at the window edge and late', () => {
    const t = rule(`
id: t.distinct-burst
kind: threshold
window: 5m
threshold: 3
distinct: resource.paths
match: { tool.class: secret.read }
`);
    const read = (path: string, at: string | number) => secret(at, { paths: [`/home/a/${path}`] });
    // One file read 2,000 times in four minutes is one value.
    const same = Array.from({ length: 2000 }, (_, i) => read('.ssh/id_rsa', timeOf('+0s') + i * 120));
    expect(run([t], same)).toHaveLength(0);
    expect(run([t], [...same, read('.aws/credentials', '+4m1s'), read('.ssh/id_ed25519', '+4m2s')])).toHaveLength(1);
    // The third value arrives after a newer call, within the lateness.
    expect(run([t], [...same, read('.aws/credentials', '+4m5s'), read('.ssh/id_ed25519', '+4m1s')], 60_000)).toHaveLength(1);
    // A value counts while its newest read is in the window, up to its very edge.
    expect(run([t], [read('.aws/credentials', '+0s'), read('.ssh/id_ed25519', '+2m'), read('.ssh/id_rsa', '+5m')])).toHaveLength(1);
    expect(run([t], [read('.aws/credentials', '+0s'), read('.ssh/id_ed25519', '+2m'), read('.ssh/id_rsa', '+5m1ms')])).toHaveLength(0);
    expect(run([t], [read('.aws/credentials', '+0s'), read('.ssh/id_ed25519', '+2m'), read('.aws/credentials', '+4m'), read('.ssh/id_rsa', '+5m1ms')])).toHaveLength(1);
  });

  it('matches patterns with any/none and suppresses per key', () => {
    const p = rule(`
id: t.pattern
kind: pattern
suppress: 5m
match:
  any: [{ tool.class: secret.read }, { resource.paths: { glob: "**/*.pem" } }]
  none: [{ server.name: trusted-vault }]
`);
    expect(run([p], [secret('+0s'), secret('+1m'), secret('+6m')])).toHaveLength(2);
    expect(run([p], [secret('+0s', { server: 'trusted-vault' })])).toHaveLength(0);
    expect(run([p], [write('+0s', { paths: ['/srv/tls/server.pem'] })])).toHaveLength(1);
  });

  it('routes events only to rules that can match them', () => {
    const engine = createEngine({ rules: [chain], catalogue });
    engine.process(call({ at: '+0s', server: 'postgres', tool: 'query', args: { sql: 'SELECT 1' } }));
    expect(engine.stats()).toMatchObject({ events: 1, matches: 0 });
  });

  it('times each rule when asked, and only the rules an event reaches', () => {
    const unrouted = rule('id: t.none\nkind: pattern\nmatch: { tool.class: db.admin }');
    const events = [mail('+0s'), secret('+1m'), send('+2m')].map((s) => call(s));
    const timedEngine = createEngine({ rules: [chain, unrouted], catalogue, timeRules: true });
    for (const e of events) timedEngine.process(e);
    const seconds = timedEngine.stats().secondsByRule!;
    expect(Object.keys(seconds).sort()).toEqual(['t.chain', 't.none']);
    expect(seconds['t.chain']).toBeGreaterThan(0);
    expect(seconds['t.none']).toBe(0);
    const plain = createEngine({ rules: [chain], catalogue });
    for (const e of events) plain.process(e);
    expect(plain.stats().secondsByRule).toBeUndefined();
  });
});

describe('rule files', () => {
  it('reports a bad rule with file, line and column', () => {
    const text = 'id: t.bad\nversion: 1\ntitle: x\nseverity: high\nrisk_score: 5\nkind: sequence\nmaxspan: 10 minutes\nsteps:\n  - match: { tool.klass: email.read }\n  - match: { tool.class: secret.read }\n';
    const r = parseYamlWith('bad.yaml', text, ruleSchema);
    expect(r.ok).toBe(false);
    const problems = r.ok ? [] : r.problems;
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^bad\.yaml:7:10: not a duration/),
      expect.stringMatching(/^bad\.yaml:9:\d+: unknown field "tool.klass"/),
    ]));
  });
});
