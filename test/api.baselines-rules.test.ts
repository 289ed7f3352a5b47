// Baseline views and rules over real ClickHouse: known tool calls of two tenants, baselines computed
// by the real job; the views show what the data says (and the last 24 hours beside it), only for
// the key's tenant. The rules list is the loaded pack plus a custom folder; a dry run over an
// inserted chain returns the alert the rule would raise, over benign data none, and never another
// tenant's.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromTenant, scopeOfKey } from '../api/queries/tenant.scope.ts';
import { computeBaselines } from '../detector/baselines/baselines.compute.ts';
import { loadCatalogue } from '../classify/catalogue.ts';
import { backtestRule } from '../detector/rules/rules.backtest.ts';
import { DEFAULT_RULES_DIR, loadRules } from '../detector/rules/rules.load.ts';
import type { AuditEventV1 } from '../schemas/event.v1.ts';
import { apiHarness, insertEvents, toolCall, type ApiHarness } from './support/api.factory.ts';
import { loadChain } from './support/chain.fixture.ts';

const H = 3_600_000;
const NOW = Date.now();
/** Start of the current hour: the baseline window ends here. */
const BASE = Math.floor(NOW / H) * H;
/** Calls in the six active hours of alice, 5, 10, ... 30 hours back; the 8-call hours hold 2 failing fetches. */
const CALLS = [4, 6, 8, 4, 6, 8];
const CHAIN_END = BASE - 2 * H + 30 * 60_000;
const BENIGN_END = BASE - 40 * H;

let h: ApiHarness;
let acme: Record<string, string>;
let globex: Record<string, string>;
let chain: AuditEventV1[];
let globexChain: AuditEventV1[];
let benign: AuditEventV1[];
let computedAt: number;

function aliceHours(): AuditEventV1[] {
  return CALLS.flatMap((n, k) => {
    const start = BASE - (k + 1) * 5 * H;
    return Array.from({ length: n }, (_, i) =>
      n === 8 && i >= 6
        ? toolCall('acme', 'alice@acme.com', start + i * 60_000, { server: 'fetch', tool: 'fetch_url', host: 'api.example.com', error: true })
        : toolCall('acme', 'alice@acme.com', start + i * 60_000, { server: 'filesystem', tool: 'read_file', path: `/home/alice/p/${i}` }),
    );
  });
}

const retenant = (events: AuditEventV1[], tenant: string) => events.map((e) => ({ ...e, tenant_id: tenant }));

beforeAll(async () => {
  const custom = mkdtempSync(join(tmpdir(), 'api-rules-'));
  writeFileSync(
    join(custom, 'custom.big-read.yaml'),
    'id: custom.big-read\nversion: 2\ntitle: A large file read\nseverity: low\nrisk_score: 10\nkind: pattern\nmatch: { tool.name: read_file, result.size_bytes: { gte: 1000000 } }\n',
  );
  h = await apiHarness('api_baselines_rules', { MCP_AUDIT_RULES_DIRS: `detector/pack,${custom}` });
  const db = h.env.config.clickhouse.database;
  chain = loadChain('exfil.mail-secret-send.chain.ndjson', CHAIN_END);
  globexChain = retenant(loadChain('exfil.mail-secret-send.chain.ndjson', CHAIN_END + 60_000), 'globex');
  benign = loadChain('exfil.mail-secret-send.wrong-order.ndjson', BENIGN_END);
  // globex calls the same tool 50 times in one hour; none of it may show in acme's figures.
  const globexCalls = Array.from({ length: 50 }, (_, i) => toolCall('globex', 'mallory@globex.io', BASE - 3 * H + i * 1000, { server: 'filesystem', tool: 'read_file', path: '/etc/globex-secret' }));
  await insertEvents(h.env.clickhouse, db, [...aliceHours(), ...globexCalls]);
  acme = { authorization: `Bearer ${await h.key('acme', ['incidents:read', 'rules:read'], 'acme-analyst')}` };
  globex = { authorization: `Bearer ${await h.key('globex', ['incidents:read', 'rules:read'], 'globex-analyst')}` };
}, 120_000);

afterAll(async () => {
  await h?.close();
});

const get = (url: string, headers = acme) => h.app.inject({ url, headers });
const dryRun = (rule: string, from: number, to: number, headers = acme) =>
  h.app.inject({ method: 'POST', url: `/v1/rules/${rule}/dry-run`, headers, payload: { from: new Date(from).toISOString(), to: new Date(to).toISOString() } });

describe('baseline views', () => {
  it('answer 404 problem+json before the first baseline run', async () => {
    const res = await get('/v1/baselines/users/alice%40acme.com');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(res.body).detail).toMatch(/no baseline run/);
    computedAt = (await computeBaselines(h.env.clickhouse, h.env.config.clickhouse.database, { lookbackDays: 28, now: NOW })).computedAtMs;
    // The chains go in after the run, so the baselines hold only the known calls above.
    await insertEvents(h.env.clickhouse, h.env.config.clickhouse.database, [...chain, ...globexChain, ...benign]);
  });

  it("show a user's figures from the newest run, the per-tool rows, and the last 24 hours", async () => {
    const res = await get('/v1/baselines/users/alice%40acme.com');
    expect(res.statusCode, res.body).toBe(200);
    const b = JSON.parse(res.body);
    expect(b.user_id).toBe('alice@acme.com');
    expect(b.run).toEqual({ computed_at: new Date(computedAt).toISOString(), lookback_days: 28 });
    expect(b.calls).toBe(36);
    // Hours with 4, 6, 8, 4, 6, 8 calls: median 6, deviations 2, 0, 2, 2, 0, 2 -> MAD 2.
    expect(b.calls_per_hour).toMatchObject({ samples: 6, median: 6, mad: 2 });
    expect(b.bytes_out_per_hour).toMatchObject({ samples: 6, median: 600 });
    expect(b.bytes_in_per_call).toMatchObject({ samples: 32, median: 1000, mad: 0 });
    // Error rates 0, 0, 0.25, 0, 0, 0.25 per hour.
    expect(b.error_rate_per_hour).toMatchObject({ samples: 6, median: 0, p95: 0.25 });
    expect(b.hour_of_week).toHaveLength(168);
    expect(b.hour_of_week.reduce((a: number, x: number) => a + x, 0)).toBe(6);
    expect([...b.known_tools].sort()).toEqual(['fetch_url', 'read_file']);
    expect([...b.known_servers].sort()).toEqual(['fetch', 'filesystem']);
    expect(b.known_hosts).toEqual(['api.example.com']);
    expect(b.tools).toEqual([
      { tool_name: 'read_file', calls: 32, calls_per_hour: expect.objectContaining({ samples: 6, median: 6 }) },
      { tool_name: 'fetch_url', calls: 4, calls_per_hour: expect.objectContaining({ samples: 2, median: 2 }) },
    ]);
    // Within 24 hours: the hours 5, 10, 15 and 20 hours back (4 + 6 + 8 + 4 calls, 2 failed), plus
    // alice's calls of the chain inserted after the run (4 of its 7 events are hers).
    const chainCalls = chain.filter((e) => e.actor.user_id === 'alice@acme.com' && e.kind === 'tool_call');
    expect(b.recent).toMatchObject({ calls: 22 + chainCalls.length, errors: 2 + chainCalls.filter((e) => e.result?.status === 'error').length, active_hours: 5, peak_calls_per_hour: 8 });
    expect(Date.parse(b.recent.to) - Date.parse(b.recent.from)).toBe(24 * H);
  });

  it("show a tool's figures across the tenant's users, never another tenant's calls", async () => {
    const res = await get('/v1/baselines/tools/filesystem/read_file');
    expect(res.statusCode, res.body).toBe(200);
    const b = JSON.parse(res.body);
    expect(b).toMatchObject({ server_name: 'filesystem', tool_name: 'read_file', calls: 32 });
    expect(b.calls_per_hour).toMatchObject({ samples: 6, median: 6 });
    expect(b.result_bytes_per_call).toMatchObject({ samples: 32, median: 1000 });
    expect(b.error_rate_per_hour).toMatchObject({ samples: 6, median: 0 });
    expect(res.body).not.toContain('globex');
    const theirs = JSON.parse((await get('/v1/baselines/tools/filesystem/read_file', globex)).body);
    expect(theirs).toMatchObject({ calls: 50, calls_per_hour: { samples: 1, median: 50 } });
  });

  it("answer 404 for another tenant's user or tool, and for unknown keys", async () => {
    for (const [url, headers] of [
      ['/v1/baselines/users/alice%40acme.com', globex],
      ['/v1/baselines/tools/fetch/fetch_url', globex],
      ['/v1/baselines/users/mallory%40globex.io', acme],
      ['/v1/baselines/users/nobody', acme],
      ['/v1/baselines/tools/filesystem/nope', acme],
    ] as const) {
      const res = await get(url, headers);
      expect({ url, status: res.statusCode }).toEqual({ url, status: 404 });
      expect(res.body).not.toContain('alice');
    }
    expect((await get('/v1/baselines/users/mallory%40globex.io', globex)).statusCode).toBe(200);
  });
});

describe('rules', () => {
  it('lists the shipped pack and the custom folder', async () => {
    const res = await get('/v1/rules');
    expect(res.statusCode, res.body).toBe(200);
    const items: { id: string; origin: string; kind: string; tests: number }[] = JSON.parse(res.body).items;
    expect(items.length).toBeGreaterThan(10);
    expect(items.find((r) => r.id === 'exfil.mail-secret-send')).toMatchObject({ kind: 'sequence', severity: 'critical', origin: 'pack', tests: 3, enabled: true });
    expect(items.find((r) => r.id === 'custom.big-read')).toMatchObject({ kind: 'pattern', version: 2, origin: 'custom', tests: 0, suppress_ms: null });
  });

  it('shows one rule with its definition, 404 for an unknown id, 400 for a malformed one', async () => {
    const res = await get('/v1/rules/exfil.mail-secret-send');
    expect(res.statusCode, res.body).toBe(200);
    const rule = JSON.parse(res.body);
    expect(rule.definition).toMatchObject({ kind: 'sequence', maxspan: 600_000, by: ['tenant_id', 'user_id'] });
    expect(rule.definition.steps).toHaveLength(3);
    expect(rule.definition).not.toHaveProperty('tests');
    expect((await get('/v1/rules/no.such-rule')).statusCode).toBe(404);
    expect((await get('/v1/rules/NOT%20A%20RULE')).statusCode).toBe(400);
  });

  it('dry run over an inserted chain returns the alert the rule would raise, and produces nothing', async () => {
    const res = await dryRun('exfil.mail-secret-send', CHAIN_END - H, CHAIN_END + H);
    expect(res.statusCode, res.body).toBe(200);
    const body = JSON.parse(res.body);
    expect(body).toMatchObject({ rule: { id: 'exfil.mail-secret-send', version: 1, kind: 'sequence' }, events_read: chain.length, complete: true, resume_from: null, alert_count: 1, baselines_from: null });
    const [alert] = body.alerts;
    expect(alert).toMatchObject({ severity: 'critical', user_id: 'alice@acme.com', ts: chain[5]!.ts });
    expect(alert.evidence_event_ids).toEqual([chain[0]!.event_id, chain[2]!.event_id, chain[5]!.event_id]);
    expect(alert.evidence.map((e: { tool_class: string }) => e.tool_class)).toEqual(['email.read', 'secret.read', 'chat.send']);
    for (const e of globexChain) expect(res.body).not.toContain(e.event_id);
    const alerts = await h.app.inject({ url: '/v1/alerts', headers: acme });
    expect(JSON.parse(alerts.body).items).toEqual([]);
  });

  it("another tenant's dry run over the same range sees only its own chain", async () => {
    const body = JSON.parse((await dryRun('exfil.mail-secret-send', CHAIN_END - H, CHAIN_END + H, globex)).body);
    expect(body).toMatchObject({ events_read: globexChain.length, alert_count: 1 });
    expect(body.alerts[0].evidence_event_ids).toEqual([globexChain[0]!.event_id, globexChain[2]!.event_id, globexChain[5]!.event_id]);
    const text = JSON.stringify(body);
    for (const e of chain) expect(text).not.toContain(e.event_id);
  });

  it('dry run over benign data raises nothing', async () => {
    const body = JSON.parse((await dryRun('exfil.mail-secret-send', BENIGN_END - H, BENIGN_END + 1)).body);
    expect(body).toMatchObject({ events_read: benign.length, alert_count: 0, alerts: [], complete: true });
  });

  it('cuts a range longer than 7 days and says where to resume; an empty range reads nothing', async () => {
    const from = BASE - 10 * 24 * H;
    const body = JSON.parse((await dryRun('exfil.mail-secret-send', from, BASE)).body);
    expect(body).toMatchObject({ complete: false, to: new Date(from + 7 * 24 * H).toISOString(), resume_from: new Date(from + 7 * 24 * H).toISOString() });
    const empty = JSON.parse((await dryRun('exfil.mail-secret-send', CHAIN_END + H, CHAIN_END - H)).body);
    expect(empty).toMatchObject({ events_read: 0, alert_count: 0, complete: true });
  });

  it('the event cap stops the backtest where it says, and a range of exactly the cap is complete', async () => {
    const rule = loadRules([DEFAULT_RULES_DIR]).rules.find((r) => r.rule.id === 'exfil.mail-secret-send')!.rule;
    const run = (maxEvents: number) =>
      backtestRule({
        ch: h.env.clickhouse,
        source: fromTenant(scopeOfKey('acme', h.env.config.clickhouse.database), 'events', { final: true }),
        rule,
        catalogue: loadCatalogue(),
        allowedLatenessMs: 5_000,
        fromMs: CHAIN_END - H,
        toMs: CHAIN_END + H,
        pageRows: 2,
        maxEvents,
        onMatch: () => {},
      });
    expect(await run(3)).toMatchObject({ read: 3, raised: 0, complete: false, lastMs: Date.parse(chain[2]!.ts) });
    expect(await run(chain.length)).toMatchObject({ read: chain.length, raised: 1, complete: true });
  });

  it('judges first_seen rules against the newest baseline run', async () => {
    const body = JSON.parse((await dryRun('first-seen.new-tool', CHAIN_END - H, CHAIN_END + H)).body);
    expect(body.baselines_from).toBe(new Date(computedAt).toISOString());
    expect(body.events_read).toBe(chain.length);
  });

  it('dry run of an unknown rule is 404, a malformed body 400', async () => {
    expect((await dryRun('no.such-rule', CHAIN_END - H, CHAIN_END)).statusCode).toBe(404);
    const bad = await h.app.inject({ method: 'POST', url: '/v1/rules/exfil.mail-secret-send/dry-run', headers: acme, payload: { from: 'yesterday', to: 'now' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
