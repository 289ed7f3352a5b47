import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ATTACK_CLASSES } from './attack.kit.ts';
import { exchangeSchema, type Exchange } from './exchange.schema.ts';
import { attackLabels, benignLabels, generate, main } from './generate.ts';
import { neutralCall } from './neutral.ts';
import { MESSY_PATTERNS, type MessyPattern } from './routine.ts';
import { resultText } from './run.builder.ts';

const g = generate({ users: 40, seed: 3 });
const trace = (x: Exchange) => x.request.params._meta.traceparent.slice(3, 35);
const calls = (xs: readonly Exchange[]) => xs.filter((x) => x.request.method === 'tools/call');
const strings = (v: unknown): string[] => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.flatMap(strings) : v && typeof v === 'object' ? Object.values(v).flatMap(strings) : []);
const hostOf = (url: string) => new URL(url).host;

describe('generate', () => {
  it('repeats byte for byte for a seed and differs for another', () => {
    const again = generate({ users: 40, seed: 3 });
    expect(JSON.stringify(again)).toBe(JSON.stringify(g));
    expect(JSON.stringify(generate({ users: 40, seed: 4 }).day)).not.toBe(JSON.stringify(g.day));
  });

  it('writes only lines of the exchange format, with ids unique per file and files in time order', () => {
    for (const file of [g.history, g.day]) {
      for (const x of file) {
        const r = exchangeSchema.safeParse(JSON.parse(JSON.stringify(x)));
        if (!r.success) throw new Error(`${x.request.id}: ${r.error.message}`);
      }
      expect(new Set(file.map((x) => x.request.id)).size).toBe(file.length);
      expect(file.every((x, i) => i === 0 || file[i - 1]!.ts <= x.ts)).toBe(true);
    }
    expect(g.history.at(-1)!.ts < g.day[0]!.ts).toBe(true);
  });

  it('gives every run one trace id, 3–30 calls for benign runs, and lists tools before a server is first used', () => {
    const runs = new Map<string, Exchange[]>();
    for (const x of [...g.history, ...g.day]) {
      const run = x.request.id.replace(/[#.]\d+$/, '');
      runs.set(run, [...(runs.get(run) ?? []), x]);
    }
    for (const [run, xs] of runs) {
      expect(new Set(xs.map(trace)).size, run).toBe(1);
      if (!run.includes('.a')) expect(calls(xs).length, run).toBeGreaterThanOrEqual(3);
      if (!run.includes('.a')) expect(calls(xs).length, run).toBeLessThanOrEqual(30);
    }
    const listed = new Set<string>();
    for (const x of g.history.slice(0, 2000)) {
      const key = `${x.user_id} ${x.server.name}`;
      if (x.request.method === 'tools/list') listed.add(key);
      else if (x.ts.slice(0, 10) === g.history[0]!.ts.slice(0, 10)) expect(listed.has(key), x.request.id).toBe(true);
    }
  });

  it('puts every messy routine pattern into the benign evaluated day', () => {
    const attackIds = new Set(attackLabels(g.labels).flatMap((a) => a.exchange_ids));
    const day = g.day.filter((x) => !attackIds.has(x.request.id));
    const seenByUser = new Map<string, string>();
    for (const x of g.history) seenByUser.set(x.user_id, (seenByUser.get(x.user_id) ?? '') + JSON.stringify(x.request) + resultText(x));
    const byTrace = new Map<string, Exchange[]>();
    for (const x of day) byTrace.set(trace(x), [...(byTrace.get(trace(x)) ?? []), x]);
    const tenantDomain = (x: Exchange) => x.user_id.split('@')[1]!;
    const found = new Set<MessyPattern>();
    for (const xs of byTrace.values()) {
      xs.forEach((x, i) => {
        const c = neutralCall(x);
        if (!c) return;
        const before = xs.slice(0, i).map((p) => ({ c: neutralCall(p), text: resultText(p) }));
        const args = strings(c.args);
        const cmd = c.capability === 'shell' ? String(c.args.command) : '';
        if (/^curl -s.* https:\/\/api\.github\.com\//.test(cmd)) found.add('curl-github-api');
        if (/curl .*-X POST http:\/\/[^ ]+\.internal/.test(cmd)) found.add('curl-post-internal');
        if (/^wget .*\/releases\/download\//.test(cmd)) found.add('wget-release');
        if (cmd.startsWith('kubectl ')) found.add('kubectl');
        if (args.some((a) => a.endsWith('.kube/config'))) found.add('kube-config-read');
        if (c.capability === 'fs' && String(c.args.path).endsWith('.env.example')) found.add('env-example-read');
        const outbound = (c.capability === 'chat' && c.action === 'post') || (c.capability === 'mail' && c.action === 'send');
        const privateRead = before.some((p) => p.c && ['fs', 'db', 'shell', 'code'].includes(p.c.capability));
        if (outbound && Buffer.byteLength(JSON.stringify(c.args)) >= 4096 && privateRead) found.add('long-post-after-private-read');
        const to = c.capability === 'mail' ? strings(c.args.to) : [];
        if (c.capability === 'mail' && (c.action === 'send' || c.action === 'reply') && to.some((t) => before.some((p) => p.c?.capability === 'mail' && p.c.action === 'read' && p.text.includes(`From: `) && p.text.split('\n').find((l) => l.startsWith('From: '))!.includes(t)))) found.add('reply-to-sender');
        if (c.capability === 'mail' && c.action === 'forward' && to.every((t) => t.endsWith(`@${tenantDomain(x)}`))) found.add('forward-doc');
        if (c.capability === 'mail' && c.action === 'send' && to.some((t) => !t.endsWith(`@${tenantDomain(x)}`) && !seenByUser.get(x.user_id)!.includes(t))) found.add('new-external-contact');
        if (c.capability === 'web' && !seenByUser.get(x.user_id)!.includes(hostOf(String(c.args.url)))) found.add('new-doc-host');
        if (c.capability === 'pay' && c.action === 'pay' && before.some((p) => p.c?.capability === 'mail' && p.text.replace(/ /g, '').includes(String(c.args.iban)))) found.add('supplier-payment');
        if (c.capability === 'docs' && c.action === 'share' && String(c.args.email).endsWith(`@${tenantDomain(x)}`)) found.add('share-file');
        if (c.capability === 'calendar' && c.action === 'create' && strings(c.args.attendees).some((t) => t.endsWith(`@${tenantDomain(x)}`))) found.add('invite-colleague');
        if (c.capability === 'mail' && c.action === 'delete_draft') found.add('delete-drafts');
      });
    }
    expect([...MESSY_PATTERNS].filter((p) => !found.has(p))).toEqual([]);
  });

  it('labels at least 40 attacks of every class that point at exchanges of the day file', () => {
    const ids = new Map(g.day.map((x) => [x.request.id, x]));
    const attacks = attackLabels(g.labels);
    expect(attacks.length).toBeGreaterThanOrEqual(40);
    expect(new Set(attacks.map((a) => a.attack_class))).toEqual(new Set(ATTACK_CLASSES));
    for (const a of attacks) {
      expect(a.harmful_exchange_ids.length, a.scenario).toBeGreaterThan(0);
      for (const id of a.exchange_ids) expect(ids.get(id)?.user_id, id).toBe(a.user_id);
      for (const id of a.harmful_exchange_ids) expect(a.exchange_ids).toContain(id);
      const n = calls(a.exchange_ids.map((id) => ids.get(id)!)).length;
      expect(n, a.scenario).toBeGreaterThanOrEqual(3);
      expect(n, a.scenario).toBeLessThanOrEqual(15);
      expect(a.revealable || (a.not_revealable_reason ?? '').length > 20, a.scenario).toBe(true);
      expect(a.harmful_action_ids.length, a.scenario).toBeGreaterThan(0);
      for (const id of a.harmful_action_ids) expect(a.harmful_exchange_ids).toContain(id);
      expect(a.first_harmful_action_ts).toBe(ids.get(a.harmful_action_ids[0]!)!.ts);
      if (a.injected_exchange_id) expect(a.exchange_ids.indexOf(a.injected_exchange_id)).toBeLessThan(a.exchange_ids.indexOf(a.harmful_action_ids[0]!));
      expect(new Set(a.exchange_ids.map((id) => trace(ids.get(id)!))).size).toBe(a.w3c_trace_ids.length);
    }
    expect(attacks.filter((a) => a.w3c_trace_ids.length > 1).length).toBeGreaterThan(0);
    expect(attacks.filter((a) => a.injected_exchange_id).length).toBeGreaterThanOrEqual(30);
  });

  it('keeps each run in one file and labels every trace of the day, named by the exchange ids before "#"', () => {
    const historyTraces = new Set(g.history.map(trace));
    const dayTraces = new Set(g.day.map(trace));
    expect([...historyTraces].filter((t) => dayTraces.has(t))).toEqual([]);
    const attackTraces = new Set(attackLabels(g.labels).flatMap((a) => a.w3c_trace_ids));
    const benign = [...dayTraces].filter((t) => !attackTraces.has(t));
    expect(new Set(benignLabels(g.labels).map((r) => r.w3c_trace_id))).toEqual(new Set(benign));
    expect(g.labels.counts.runs_day_benign).toBe(benign.length);
    const labelled = new Map(g.labels.traces.map((t) => [t.trace_id, t]));
    const perLabel = new Map<string, number>();
    for (const x of g.day) {
      const id = x.request.id.slice(0, x.request.id.indexOf('#'));
      expect(labelled.has(id), x.request.id).toBe(true);
      perLabel.set(id, (perLabel.get(id) ?? 0) + 1);
    }
    for (const r of benignLabels(g.labels)) expect(perLabel.get(r.trace_id)).toBe(r.exchanges);
    for (const a of attackLabels(g.labels)) expect(perLabel.get(a.trace_id)).toBe(a.exchange_ids.length);
  });

  it('writes the files when run as a program: gzipped lines that parse, and the labels', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exchanges-'));
    try {
      await main(['--users', '6', '--seed', '2', '--out', dir]);
      const expected = generate({ users: 6, seed: 2 });
      for (const [file, xs] of [['history', expected.history], ['day', expected.day]] as const) {
        const lines = gunzipSync(readFileSync(join(dir, `${file}.ndjson.gz`))).toString('utf8').trimEnd().split('\n');
        expect(lines.length).toBe(xs.length);
        for (const line of lines) expect(exchangeSchema.safeParse(JSON.parse(line)).success, line.slice(0, 120)).toBe(true);
        expect(lines[0]).toBe(JSON.stringify(xs[0]));
      }
      expect(JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8'))).toEqual(expected.labels);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
