// Authorization matrix: every route × {no key, malformed key, revoked key, wrong scope, another
// tenant's key, the right key} → the right status, through app.inject() against the real
// ClickHouse and Kafka. Another tenant's ids answer 404 and its data never appears.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KeyStore } from '../api/auth/key.store.ts';
import type { Scope } from '../api/auth/scopes.ts';
import { scopes } from '../api/auth/scopes.ts';
import { computeBaselines } from '../detector/baselines/baselines.compute.ts';
import { makeEvent } from './support/events.factory.ts';
import { apiHarness, insertAlerts, insertEvents, makeChain, toolCall, type ApiHarness, type Chain } from './support/api.factory.ts';

let h: ApiHarness;
let chainA: Chain;
let chainB: Chain;
let revoked: string;
/** The dry-run range: both chains lie in it. */
let dryRange: { from: string; to: string };
const keyOf: Record<string, string> = {};

interface Route {
  name: string;
  method: 'GET' | 'POST';
  url: () => string;
  scope: Scope;
  payload?: () => unknown;
  ok: number;
  /** What a key of the other tenant (with the scope) gets. */
  otherTenant: number;
}

const routes: Route[] = [
  { name: 'list incidents', method: 'GET', url: () => '/v1/incidents', scope: 'incidents:read', ok: 200, otherTenant: 200 },
  { name: 'incident detail', method: 'GET', url: () => `/v1/incidents/${chainA.alert.incident_id}`, scope: 'incidents:read', ok: 200, otherTenant: 404 },
  {
    name: 'incident status',
    method: 'POST',
    url: () => `/v1/incidents/${chainA.alert.incident_id}/status`,
    scope: 'incidents:write',
    payload: () => ({ action: 'acknowledge', note: 'on it' }),
    ok: 200,
    otherTenant: 404,
  },
  { name: 'list alerts', method: 'GET', url: () => '/v1/alerts', scope: 'incidents:read', ok: 200, otherTenant: 200 },
  { name: 'search events', method: 'GET', url: () => '/v1/events', scope: 'incidents:read', ok: 200, otherTenant: 200 },
  {
    name: 'post events',
    method: 'POST',
    url: () => '/v1/events',
    scope: 'events:write',
    payload: () => makeEvent({ tenant_id: 'tenant-a', kind: 'tool_call' }),
    ok: 202,
    otherTenant: 403,
  },
  { name: 'user baseline', method: 'GET', url: () => '/v1/baselines/users/alice%40a.example', scope: 'incidents:read', ok: 200, otherTenant: 404 },
  { name: 'tool baseline', method: 'GET', url: () => '/v1/baselines/tools/jira/create_issue', scope: 'incidents:read', ok: 200, otherTenant: 404 },
  { name: 'list rules', method: 'GET', url: () => '/v1/rules', scope: 'rules:read', ok: 200, otherTenant: 200 },
  { name: 'rule detail', method: 'GET', url: () => '/v1/rules/exfil.mail-secret-send', scope: 'rules:read', ok: 200, otherTenant: 200 },
  {
    name: 'rule dry run',
    method: 'POST',
    url: () => '/v1/rules/exfil.mail-secret-send/dry-run',
    scope: 'rules:read',
    payload: () => dryRange,
    ok: 200,
    otherTenant: 200,
  },
];

const publicRoutes = ['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs'];

beforeAll(async () => {
  // The matrix presents many bad keys from one address; the failed-auth limit has its own test below.
  h = await apiHarness('api_authz', { MCP_AUDIT_API_AUTH_FAILURES_MAX: '100000' });
  const db = h.env.config.clickhouse.database;
  const now = Date.now() - 3_600_000;
  chainA = makeChain('tenant-a', 'alice@a.example', now);
  chainB = makeChain('tenant-b', 'bob@b.example', now + 5_000);
  // A tool only tenant-a uses: its baseline is tenant-a's alone. Before the chains, so it lies in a
  // whole past hour (the baseline window ends where the current hour starts).
  const jira = toolCall('tenant-a', 'alice@a.example', now - 60_000, { server: 'jira', tool: 'create_issue' });
  await insertEvents(h.env.clickhouse, db, [...chainA.events, ...chainB.events, jira]);
  await insertAlerts(h.env.clickhouse, db, [chainA.alert, chainB.alert]);
  await computeBaselines(h.env.clickhouse, db, { lookbackDays: 28 });
  dryRange = { from: new Date(now - 120_000).toISOString(), to: new Date(now + 120_000).toISOString() };
  for (const s of scopes) {
    keyOf[`a:${s}`] = await h.key('tenant-a', [s], `a-${s}`);
    keyOf[`b:${s}`] = await h.key('tenant-b', [s], `b-${s}`);
  }
  revoked = await h.key('tenant-a', [...scopes], 'revoked');
  await h.keys.revoke(revoked.split('_')[1]!);
}, 120_000);

afterAll(async () => {
  await h?.close();
});

/** A key of tenant-a with every scope except `scope` (and not admin). */
async function wrongScopeKey(scope: Scope): Promise<string> {
  return h.key('tenant-a', scopes.filter((s) => s !== scope && s !== 'admin'), 'wrong-scope');
}

async function call(r: Route, key: string | null, raw?: string) {
  const headers: Record<string, string> = {};
  if (raw !== undefined) headers.authorization = raw;
  else if (key) headers.authorization = `Bearer ${key}`;
  return h.app.inject({ method: r.method, url: r.url(), headers, ...(r.payload ? { payload: r.payload() as object } : {}) });
}

describe('authorization matrix', () => {
  for (const r of routes) {
    it(`${r.name}: no key, malformed, revoked → 401; wrong scope → 403; other tenant → ${r.otherTenant}; right key → ${r.ok}; admin → ${r.ok}`, async () => {
      const cases: [string, Promise<{ statusCode: number; headers: Record<string, unknown>; body: string }>, number][] = [
        ['no key', call(r, null), 401],
        ['malformed key', call(r, null, 'Bearer mcpa_nothex_123'), 401],
        ['not bearer', call(r, null, `Basic ${keyOf[`a:${r.scope}`]}`), 401],
        ['unknown key id', call(r, `mcpa_${'0'.repeat(16)}_${'1'.repeat(64)}`), 401],
        ['wrong secret', call(r, keyOf[`a:${r.scope}`]!.slice(0, -4) + 'abcd'), 401],
        ['revoked key', call(r, revoked), 401],
        ['wrong scope', call(r, await wrongScopeKey(r.scope)), 403],
        ["other tenant's key", call(r, keyOf[`b:${r.scope}`]!), r.otherTenant],
        ['right key', call(r, keyOf[`a:${r.scope}`]!), r.ok],
        ['admin key', call(r, keyOf['a:admin']!), r.ok],
      ];
      for (const [label, pending, expected] of cases) {
        const res = await pending;
        expect({ label, status: res.statusCode }).toEqual({ label, status: expected });
        if (expected >= 400) {
          expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
          expect(JSON.parse(res.body)).toMatchObject({ status: expected, title: expect.any(String), type: expect.any(String), detail: expect.any(String) });
        }
        if (expected === 401) expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      }
    });
  }

  it('public routes answer without a key', async () => {
    for (const url of publicRoutes) {
      const res = await h.app.inject({ url });
      expect({ url, status: res.statusCode }).toEqual({ url, status: 200 });
    }
  });

  it("a tenant's lists never hold another tenant's data, and its ids answer 404", async () => {
    const b = { authorization: `Bearer ${keyOf['b:incidents:read']}` };
    const a = { authorization: `Bearer ${keyOf['a:incidents:read']}` };
    const from = new Date(Date.now() - 2 * 86_400_000).toISOString();
    const bodies = await Promise.all(
      ['/v1/incidents', '/v1/alerts', `/v1/events?from=${from}`, `/v1/alerts?incident=${chainA.alert.incident_id}`, `/v1/incidents?user=alice%40a.example`].map(
        async (url) => {
          const res = await h.app.inject({ url, headers: b });
          expect({ url, status: res.statusCode }).toEqual({ url, status: 200 });
          return res.body;
        },
      ),
    );
    // Tenant B's dry run over the range of both chains: its own chain's alert, never tenant A's.
    const dry = await h.app.inject({ method: 'POST', url: '/v1/rules/exfil.mail-secret-send/dry-run', headers: { authorization: `Bearer ${keyOf['b:rules:read']}` }, payload: dryRange });
    expect(dry.statusCode).toBe(200);
    expect(JSON.parse(dry.body)).toMatchObject({ alert_count: 1, alerts: [{ user_id: 'bob@b.example' }] });
    bodies.push(dry.body);
    for (const body of bodies) {
      expect(body).not.toContain('alice@a.example');
      expect(body).not.toContain(chainA.alert.incident_id);
      for (const e of chainA.events) expect(body).not.toContain(e.event_id);
    }
    // ...while tenant B sees its own, and tenant A sees its own.
    expect(bodies[0]).toContain(chainB.alert.incident_id);
    expect(bodies[2]).toContain(chainB.events[0]!.event_id);
    const own = await h.app.inject({ url: `/v1/incidents/${chainA.alert.incident_id}`, headers: a });
    expect(own.statusCode).toBe(200);
    expect(JSON.parse(own.body).story).toHaveLength(3);
    const theirs = await h.app.inject({ url: `/v1/incidents/${chainA.alert.incident_id}`, headers: b });
    expect(theirs.statusCode).toBe(404);
  });

  it('a revoked key stops working once the key cache expires (here: cleared)', async () => {
    const key = await h.key('tenant-a', ['incidents:read'], 'soon-revoked');
    const headers = { authorization: `Bearer ${key}` };
    expect((await h.app.inject({ url: '/v1/incidents', headers })).statusCode).toBe(200);
    await h.keys.revoke(key.split('_')[1]!);
    // Stands for MCP_AUDIT_API_KEY_CACHE_MS passing (5 s by default).
    h.app.clearKeyCache();
    expect((await h.app.inject({ url: '/v1/incidents', headers })).statusCode).toBe(401);
  });
});

describe('failed authentication limit', () => {
  it('after 5 failures an address gets 429 with Retry-After, even with a valid key, and no key lookup is made', async () => {
    const limited = await apiHarness('api_authfail', { MCP_AUDIT_API_AUTH_FAILURES_MAX: '5' });
    try {
      const good = await limited.key('acme', ['incidents:read'], 'analyst');
      const lookups = vi.spyOn(KeyStore.prototype, 'find');
      const call = (key: string) => limited.app.inject({ url: '/v1/incidents', headers: { authorization: `Bearer ${key}` } });
      for (let i = 0; i < 5; i++) expect((await call(`mcpa_${'0'.repeat(16)}_${'x'.repeat(43)}${i}`)).statusCode).toBe(401);
      const found = lookups.mock.calls.length;
      const refused = await call(good);
      expect(refused.statusCode).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      for (let i = 0; i < 20; i++) expect((await call(`mcpa_${'1'.repeat(16)}_${'y'.repeat(44)}`)).statusCode).toBe(429);
      expect(lookups.mock.calls.length, 'a limited address caused key lookups').toBe(found);
      lookups.mockRestore();
    } finally {
      await limited.close();
    }
  });
});
