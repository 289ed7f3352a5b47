// Engine tests of the signals issue 11 asked for: provenance of values, novel destinations,
// episodes, and risk accumulation with decay.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { BaselineSnapshot, MetricBaseline, UserBaseline } from '../baselines/baseline.types.ts';
import { EMPTY_BASELINES } from '../baselines/baseline.types.ts';
import { loadCatalogue } from '../../classify/catalogue.ts';
import { toAlert } from './alert.ts';
import { createEngine, type RuleMatch } from './engine.ts';
import { call, fixtureFingerprint, timeOf, type CallSpec } from './event.builder.ts';
import { RISK_RULE } from './risk.ts';
import { ruleSchema, type Rule } from './rule.schema.ts';
import { DEFAULT_RULES_DIR, loadRulesOrThrow } from './rules.load.ts';

const catalogue = loadCatalogue();
const rule = (yaml: string): Rule => ruleSchema.parse({ version: 1, title: 't', severity: 'high', risk_score: 50, ...parse(yaml) });

const ATTACKER = 'email:mark.black@evil.example';
const COLLEAGUE = 'email:jane@acme.com';
/** A mail whose body carries the attacker's address (untrusted content). */
const injectedMail = (at: string, o: Partial<CallSpec> = {}): CallSpec => ({ at, server: 'mail', tool: 'get_unread_emails', fp: { result: [ATTACKER, COLLEAGUE] }, ...o });
const sendTo = (at: string, to: string, o: Partial<CallSpec> = {}): CallSpec => ({ at, server: 'mail', tool: 'send_email', recipients: [to.slice(6)], fp: { dest: [to] }, ...o });

const fromMail = rule(`
id: t.from-mail
kind: pattern
alert: true
match: { labels: external_sink, provenance: { from: untrusted_content, in: destinations, within: 15m } }
`);

function baselineWith(known: string[], weeks = 2, routineTool?: string, secretPaths: string[] = [], sentValues: string[] = []): BaselineSnapshot {
  const m: MetricBaseline = { samples: 100, median: 1, mad: 1, p95: 2 };
  const user: UserBaseline = {
    callsPerHour: m, bytesOutPerHour: m, bytesInPerCall: m, errorRatePerHour: m, distinctResourcesPerHour: m,
    hourOfWeek: new Array(168).fill(1), weeks, knownTools: new Set(), knownServers: new Set(), knownHosts: new Set(),
    knownDestinations: new Set(known.map(fixtureFingerprint)),
    knownSecretPaths: new Set(secretPaths),
    knownSentValues: new Set(sentValues.map(fixtureFingerprint)),
  };
  return {
    computedAt: timeOf('-1d'),
    lookbackDays: 14,
    user: () => user,
    tool: () => undefined,
    userTool: (_t, _u, tool) => (tool === routineTool ? { callsPerHour: m } : undefined),
  };
}

function run(rules: Rule[], specs: CallSpec[], baselines: BaselineSnapshot = EMPTY_BASELINES, risk = {}): RuleMatch[] {
  const engine = createEngine({ rules, catalogue, baselines, risk });
  const out: RuleMatch[] = [];
  for (const s of specs) out.push(...engine.process(call(s)));
  out.push(...engine.advanceWatermark(Number.MAX_SAFE_INTEGER));
  return out;
}

describe('provenance', () => {
  it('matches a recipient that came from a mail read earlier, and names both calls as evidence', () => {
    const specs = [injectedMail('+0s'), sendTo('+2m', ATTACKER)];
    const events = specs.map(call);
    const engine = createEngine({ rules: [fromMail], catalogue });
    const out = events.flatMap((e) => engine.process(e));
    expect(out).toHaveLength(1);
    expect(out[0]!.evidence.map((e) => e.event_id)).toEqual(events.map((e) => e.event_id));
  });

  it("names the call a value came from in the alert of another rule that matched the same call first", () => {
    // The send rule has no provenance condition and runs before the one that finds the origin.
    const send = rule(`
id: a.any-send
kind: pattern
alert: true
match: { labels: external_sink }
`);
    const events = [injectedMail('+0s'), sendTo('+2m', ATTACKER)].map(call);
    const engine = createEngine({ rules: [send, { ...fromMail, alert: false }], catalogue });
    const out = events.flatMap((e) => engine.process(e));
    const alert = out.find((m) => m.rule.id === 'a.any-send')!;
    expect(alert.evidence.map((e) => e.event_id)).toEqual(events.map((e) => e.event_id));
    expect(alert.summary).toContain('values of send_email came from the result of get_unread_emails on mail');
  });

  it('keeps no result fingerprints of a call once the rules have seen it, and still finds its values and cites it', () => {
    const events = [injectedMail('+0s'), sendTo('+2m', ATTACKER)].map(call);
    const mail = events[0]!;
    const engine = createEngine({ rules: [fromMail], catalogue });
    expect(engine.process(mail)).toEqual([]);
    // The caller's event is untouched: the engine keeps its own copy without the lists.
    expect(mail.schema_version === 2 && mail.fingerprints?.result).toHaveLength(2);
    const out = engine.process(events[1]!);
    expect(out).toHaveLength(1);
    const kept = out[0]!.evidence[0]!;
    expect(kept.event_id).toBe(mail.event_id);
    expect(kept).not.toBe(mail);
    expect(kept.schema_version === 2 && kept.fingerprints).toBeFalsy();
    const alert = toAlert(out[0]!, { incidentId: 'i-1', detectedAt: new Date(0) });
    expect(alert.evidence.map((e) => e.event_id)).toEqual(events.map((e) => e.event_id));
    expect(alert.evidence[0]!.tool_name).toBe('get_unread_emails');
  });

  it('does not match a value the mail did not carry', () => {
    expect(run([fromMail], [injectedMail('+0s'), sendTo('+2m', 'email:someone@else.example')])).toHaveLength(0);
  });

  it('does not match a value from a private read when asked for untrusted content', () => {
    const dbRead: CallSpec = { at: '+0s', server: 'postgres', tool: 'query', args: { sql: 'SELECT email FROM contacts' }, fp: { result: [ATTACKER] } };
    expect(run([fromMail], [dbRead, sendTo('+1m', ATTACKER)])).toHaveLength(0);
  });

  it('expires after `within`', () => {
    expect(run([fromMail], [injectedMail('+0s'), sendTo('+15m1s', ATTACKER)])).toHaveLength(0);
    expect(run([fromMail], [injectedMail('+0s'), sendTo('+14m59s', ATTACKER)])).toHaveLength(1);
  });

  it("a call's own result is no provenance of its own arguments", () => {
    const echo: CallSpec = { ...sendTo('+0s', ATTACKER), server: 'mail', tool: 'search_emails', fp: { dest: [ATTACKER], result: [ATTACKER] } };
    const r = rule(`
id: t.own
kind: pattern
match: { provenance: { from: untrusted_content, in: destinations } }
`);
    expect(run([r], [echo])).toHaveLength(0);
  });

  it('is per user: another user reading the mail is no provenance', () => {
    expect(run([fromMail], [injectedMail('+0s', { user: 'bob@acme.com' }), sendTo('+1m', ATTACKER)])).toHaveLength(0);
  });

  it('same_episode requires both calls in one agent run', () => {
    const r = rule(`
id: t.episode
kind: pattern
match: { labels: external_sink, provenance: { from: untrusted_content, in: destinations, same_episode: true } }
`);
    expect(run([r], [injectedMail('+0s', { episode: 'run-1' }), sendTo('+1m', ATTACKER, { episode: 'run-2' })])).toHaveLength(0);
    expect(run([r], [injectedMail('+0s', { episode: 'run-1' }), sendTo('+1m', ATTACKER, { episode: 'run-1' })])).toHaveLength(1);
  });

  it('fingerprints under different keys never match (capture keys them per deployment)', () => {
    // The same address fingerprinted under another deployment key is a different string.
    const otherKey = `email:${'0'.repeat(16)}`;
    expect(fixtureFingerprint(ATTACKER)).not.toBe(otherKey);
    expect(run([fromMail], [injectedMail('+0s'), sendTo('+1m', otherKey)])).toHaveLength(0);
  });
});

describe('familiar sources', () => {
  const stranger = rule(`
id: t.stranger
kind: pattern
alert: true
match: { labels: external_sink, provenance: { from: untrusted_content, in: destinations, skip_familiar: true } }
`);
  const SUPPLIER = 'email:billing@supplier.example';
  const invoice = (from: string): CallSpec => ({ ...injectedMail('+0s'), fp: { result: [ATTACKER], parties: [from] } });

  it("a value from a known correspondent's mail does not count; the same from a stranger does", () => {
    expect(run([stranger], [invoice(SUPPLIER), sendTo('+1m', ATTACKER)], baselineWith([SUPPLIER]))).toHaveLength(0);
    expect(run([stranger], [invoice('email:billing@supp1ier.example'), sendTo('+1m', ATTACKER)], baselineWith([SUPPLIER]))).toHaveLength(1);
  });

  it('a correspondent written to since the snapshot is familiar too', () => {
    expect(run([stranger], [sendTo('-1m', SUPPLIER), invoice(SUPPLIER), sendTo('+1m', ATTACKER)], baselineWith([]))).toHaveLength(0);
  });
});

describe('payload provenance', () => {
  const leak = rule(`
id: t.leak
kind: pattern
match: { labels: external_sink, provenance: { from: private_data, in: payload } }
`);
  const fileRead: CallSpec = { at: '+0s', server: 'filesystem', tool: 'read_file', args: { path: '/srv/contracts/acme.txt' }, fp: { result: ['phone:+4930123', 'text:contract passage'] } };
  const mail = (value: string): CallSpec => ({ ...sendTo('+1m', ATTACKER), fp: { dest: [ATTACKER], args: [value] } });

  it('matches content of a private read leaving in a send', () => {
    expect(run([leak], [fileRead, mail('text:contract passage')], baselineWith([], 2, undefined, [], ['phone:+4930123']))).toHaveLength(1);
  });

  it('with except_replies, content sent back to the party it came from does not count (a reply quoting an invoice)', () => {
    const replies = rule(`
id: t.leak-not-reply
kind: pattern
match: { labels: external_sink, provenance: { from: private_data, in: payload, except_replies: true } }
`);
    const SUPPLIER = 'email:billing@supplier.example';
    const invoice: CallSpec = { at: '+0s', server: 'mail', tool: 'read_email', args: { id: '9' }, fp: { result: ['text:invoice 4711 due'], parties: [SUPPLIER] } };
    const reply = (to: string): CallSpec => ({ ...sendTo('+1m', to), fp: { dest: [to], args: ['text:invoice 4711 due'] } });
    expect(run([replies], [invoice, reply(SUPPLIER)])).toHaveLength(0);
    expect(run([replies], [invoice, reply(ATTACKER)])).toHaveLength(1);
  });

  it("leaves out what the user sends routinely (the baseline's sent values: a signature's phone number)", () => {
    expect(run([leak], [fileRead, mail('phone:+4930123')], baselineWith([], 2, undefined, [], ['phone:+4930123']))).toHaveLength(0);
    expect(run([leak], [fileRead, mail('phone:+4930123')], baselineWith([]))).toHaveLength(1);
  });
});

describe('novel destinations', () => {
  const novel = rule(`
id: t.novel
kind: pattern
match: { labels: external_sink, novel_destination: true }
`);

  it('fires for a destination outside the baseline, once per destination', () => {
    const out = run([novel], [sendTo('+0s', ATTACKER), sendTo('+1m', ATTACKER), sendTo('+2m', COLLEAGUE)], baselineWith([COLLEAGUE]));
    expect(out).toHaveLength(1);
  });

  it('stays silent during cold start (less than a week of history)', () => {
    expect(run([novel], [sendTo('+0s', ATTACKER)], baselineWith([], 0.5))).toHaveLength(0);
    expect(run([novel], [sendTo('+0s', ATTACKER)])).toHaveLength(0);
  });

  it('first_seen over destinations', () => {
    const fs = rule(`
id: t.first-dest
kind: first_seen
field: destinations
match: { labels: external_sink }
`);
    expect(run([fs], [sendTo('+0s', COLLEAGUE), sendTo('+1m', ATTACKER), sendTo('+2m', ATTACKER)], baselineWith([COLLEAGUE]))).toHaveLength(1);
  });
});

describe('episodes', () => {
  it("the shipped injected-instructions rule waits for the injected run's action, not the user's own work in another run", () => {
    const shipped = loadRulesOrThrow([DEFAULT_RULES_DIR]).find((r) => r.rule.id === 'inject.instructions-then-action')!.rule;
    const specs = [
      injectedMail('+0s', { episode: 'injected', instructions: ['addressed_to_agent'] }),
      sendTo('+1m', COLLEAGUE, { episode: 'own-work' }),
      sendTo('+9m', ATTACKER, { episode: 'injected' }),
    ];
    const events = specs.map(call);
    const engine = createEngine({ rules: [shipped], catalogue });
    const out = events.flatMap((e) => engine.process(e));
    expect(out).toHaveLength(1);
    expect(out[0]!.evidence.map((e) => e.event_id)).toEqual([events[0]!.event_id, events[2]!.event_id]);
  });

  it('a sequence keyed by episode needs both steps in one run', () => {
    const seq = rule(`
id: t.seq-episode
kind: sequence
by: [tenant_id, episode]
maxspan: 10m
steps:
  - match: { tool.class: email.read }
  - match: { tool.class: email.send }
`);
    expect(run([seq], [injectedMail('+0s', { episode: 'a' }), sendTo('+1m', COLLEAGUE, { episode: 'b' })])).toHaveLength(0);
    expect(run([seq], [injectedMail('+0s', { episode: 'a' }), sendTo('+1m', COLLEAGUE, { episode: 'a' })])).toHaveLength(1);
  });

  it('falls back to the MCP session id for v1 events', () => {
    const seq = rule(`
id: t.seq-session
kind: sequence
by: [tenant_id, episode]
maxspan: 10m
steps:
  - match: { tool.class: email.read }
  - match: { tool.class: chat.send }
`);
    const a: CallSpec = { at: '+0s', server: 'gmail', tool: 'search_email', session: 's1' };
    const b: CallSpec = { at: '+1m', server: 'slack', tool: 'slack_post_message', session: 's2' };
    expect(run([seq], [a, b])).toHaveLength(0);
    expect(run([seq], [a, { ...b, session: 's1' }])).toHaveLength(1);
  });
});

describe('risk-based alerting', () => {
  const weak = (id: string, score: number, cls: string) =>
    rule(`
id: ${id}
kind: pattern
risk_score: ${score}
match: { tool.class: ${cls} }
`);
  const credRead = weak('t.cred', 60, 'secret.read');
  const sink = weak('t.sink', 50, 'chat.send');
  const secret = (at: string, o: Partial<CallSpec> = {}): CallSpec => ({ at, server: 'filesystem', tool: 'read_file', paths: ['/home/a/.ssh/id_rsa'], episode: 'r1', ...o });
  const post = (at: string, o: Partial<CallSpec> = {}): CallSpec => ({ at, server: 'slack', tool: 'slack_post_message', recipients: ['#x'], episode: 'r1', ...o });
  const alerts = (ms: RuleMatch[]) => ms.filter((m) => m.alert);

  it('signals alone raise no alert; two rules adding up to the threshold raise one story alert', () => {
    const out = run([credRead, sink], [secret('+0s'), post('+1m')]);
    expect(out.filter((m) => !m.alert).map((m) => m.rule.id)).toEqual(['t.cred', 't.sink']);
    const story = alerts(out);
    expect(story).toHaveLength(1);
    expect(story[0]!.rule).toEqual(RISK_RULE);
    expect(story[0]!.evidence).toHaveLength(2);
  });

  it('one rule repeating never makes a story (distinct rules), nor does the same resource count twice', () => {
    expect(alerts(run([credRead], [secret('+0s'), secret('+1m'), secret('+2m', { paths: ['/home/a/.aws/credentials'] })]))).toHaveLength(0);
  });

  it('risk decays: the same two signals two hours apart stay below the threshold', () => {
    expect(alerts(run([credRead, sink], [secret('+0s'), post('+2h')]))).toHaveLength(0);
    // One half-life (30 min): 60 * 0.5 + 50 = 80 < 100.
    expect(alerts(run([credRead, sink], [secret('+0s'), post('+30m')]))).toHaveLength(0);
  });

  it("a tool the user calls routinely weighs less (this user's agent reads that file every day)", () => {
    expect(alerts(run([credRead, sink], [secret('+0s'), post('+1m')], baselineWith([], 2, 'read_file')))).toHaveLength(0);
  });

  it("a credential store this user's agents read in the baseline period weighs little (a daily kube config)", () => {
    expect(alerts(run([credRead, sink], [secret('+0s'), post('+1m')], baselineWith([], 2, undefined, ['/home/a/.ssh/id_rsa'])))).toHaveLength(0);
    expect(alerts(run([credRead, sink], [secret('+0s'), post('+1m')], baselineWith([], 2, undefined, ['/home/a/.kube/config'])))).toHaveLength(1);
  });

  it('a chain that starts with a routine credential read weighs little too (a post after the daily kube config read)', () => {
    const after = rule(`
id: t.after-secret
kind: sequence
risk_score: 60
maxspan: 10m
steps:
  - match: { tool.class: secret.read }
  - match: { labels: external_sink }
`);
    const bigPost = weak('t.big-post', 40, 'chat.send');
    const kube = (at: string) => secret(at, { paths: ['/home/a/.kube/config'] });
    expect(alerts(run([after, bigPost], [kube('+0s'), post('+1m')], baselineWith([], 2, undefined, ['/home/a/.kube/config'])))).toHaveLength(0);
    expect(alerts(run([after, bigPost], [kube('+0s'), post('+1m')], baselineWith([], 2, undefined, [])))).toHaveLength(1);
  });

  it('stories are per user: signals of two users never add up', () => {
    expect(alerts(run([credRead, sink], [secret('+0s', { episode: undefined }), post('+1m', { user: 'bob@acme.com', episode: undefined })]))).toHaveLength(0);
  });

  it('a rule marked alert: true alerts on its own', () => {
    const direct = rule(`
id: t.direct
kind: pattern
alert: true
match: { tool.class: secret.read }
`);
    const out = run([direct], [secret('+0s')]);
    expect(out).toHaveLength(1);
    expect(out[0]!.alert).toBe(true);
  });
});
