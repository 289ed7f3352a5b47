// Injection: ≥ 1,000 hostile values per filter parameter (quotes, backslashes, SQL fragments,
// control characters, unicode, 100 KB strings) from a tenant-b key → never a 500, never a row of
// tenant-a in an answer (every row answered is tenant-b's), never a ClickHouse error in the captured
// logs, and nothing stored or produced: every table of the database and the events topic hold
// afterwards exactly what they held before. Requests run concurrently in batches.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../core/kafka.ts';
import { createLogger } from '../core/logger.ts';
import { qualified, sql } from '../core/sql.ts';
import { computeBaselines } from '../detector/baselines/baselines.compute.ts';
import { apiHarness, insertAlerts, insertEvents, makeChain, type ApiHarness, type Chain } from './support/api.factory.ts';
import { queryRows, testLog } from './support/test.env.ts';

const PER_PARAM = 1_000;
const CONCURRENCY = 16;

const logLines: string[] = [];
let h: ApiHarness;
let victim: Chain;
let own: Chain;
let headers: Record<string, string>;
let victimHeaders: Record<string, string>;
/** What the database and the events topic held before the hostile requests. */
let before: Stored;

const CURATED = [
  "'", "''", '\\', "\\'", "\\\\'", '"', '`', ';', '--', '/*', '*/', '%', '_', '\x00', '\n', '\r\n', '\t', '\x1b[31m', '\u007f',
  "' OR 1=1 --", "' OR '1'='1", "x' OR tenant_id = 'tenant-a", "x' OR tenant_id != '", "') OR 1=1 --", "'; DROP TABLE alerts; --",
  "' UNION ALL SELECT * FROM system.tables --", "alice@a.example' OR '", "tenant-a", "\\' OR 1=1 --", "{p:String}", '${x}', '$1', '?',
  "' FORMAT JSON --", "' SETTINGS max_threads=1 --", "1; SELECT 1", '0x27', '\\x27', "\u2019 OR 1=1", '\u202eevil', '\ufeff', '\u0000\u0000',
  '𝕏𝕐ℤ', '👩‍💻', 'é', 'ß', 'İ', '中文', 'null', 'undefined', 'NaN', '[]', '{}', '%27', '%00', '+', ' ', '  leading', 'trailing  ',
];

const sqlish = fc
  .array(fc.constantFrom("'", '\\', '"', '`', ';', '-', '/', '*', ' ', 'OR', 'AND', 'tenant_id', '=', '!=', '(', ')', '\x00', '\n', 'tenant-a', '%', '_', 'é', '𝕏'), {
    maxLength: 40,
  })
  .map((parts) => parts.join(''));

const huge = fc.constantFrom("'".repeat(100_000), '\\'.repeat(100_000), 'x'.repeat(100_000), '中'.repeat(34_000), "' OR 1=1 -- ".repeat(8_500));

const hostile = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...CURATED) },
  { weight: 3, arbitrary: sqlish },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }) },
  { weight: 1, arbitrary: huge },
);

/** ≥ 1,000 hostile values, the curated ones always among them; strings made well-formed for the URL. */
function values(seed: number): string[] {
  return [...CURATED, ...fc.sample(hostile, { numRuns: PER_PARAM, seed })].map((s) => s.toWellFormed());
}

async function inParallel<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += CONCURRENCY) await Promise.all(items.slice(i, i + CONCURRENCY).map(fn));
}

beforeAll(async () => {
  const log = createLogger('info', 'api', { write: (line: string) => void logLines.push(line) });
  h = await apiHarness('api_injection', { MCP_AUDIT_API_RATE_LIMIT_MAX: '1000000' }, log);
  const db = h.env.config.clickhouse.database;
  const at = Date.now() - 3_600_000;
  victim = makeChain('tenant-a', 'alice@a.example', at, { summary: "alice' OR 1=1 -- read mail \\ then ~/.ssh" });
  own = makeChain('tenant-b', 'bob@b.example', at + 10_000);
  await insertEvents(h.env.clickhouse, db, [...victim.events, ...own.events]);
  await insertAlerts(h.env.clickhouse, db, [victim.alert, own.alert]);
  // Baselines of both tenants (the chains lie in a whole past hour), for the baseline views.
  await computeBaselines(h.env.clickhouse, db, { lookbackDays: 28 });
  headers = { authorization: `Bearer ${await h.key('tenant-b', ['admin'], 'attacker')}` };
  victimHeaders = { authorization: `Bearer ${await h.key('tenant-a', ['incidents:read'], 'victim')}` };
  before = await stored();
}, 120_000);

interface Stored {
  /** Rows per table of the test database, per tenant where the table has one. */
  tables: Record<string, Record<string, number>>;
  /** The latest row of each incident: status and version. */
  incidents: { tenant_id: string; incident_id: string; status: string; version: string }[];
  /** Messages on the events topic. */
  events: number;
}

/** Everything the API could have written: every table of the test database, and the events topic. */
async function stored(): Promise<Stored> {
  const db = h.env.config.clickhouse.database;
  const ch = h.env.clickhouse;
  const tables: Stored['tables'] = {};
  const names = await queryRows<{ name: string }>(ch, sql`SELECT name FROM system.tables WHERE database = ${db} ORDER BY name`.text);
  const withTenant = new Set(
    (await queryRows<{ table: string }>(ch, sql`SELECT table FROM system.columns WHERE database = ${db} AND name = 'tenant_id'`.text)).map((r) => r.table),
  );
  for (const { name } of names) {
    const table = qualified(db, name);
    const query = withTenant.has(name) ? sql`SELECT tenant_id AS k, count() AS n FROM ${table} GROUP BY tenant_id` : sql`SELECT '' AS k, count() AS n FROM ${table}`;
    tables[name] = Object.fromEntries((await queryRows<{ k: string; n: string }>(ch, query.text)).map((r) => [r.k, Number(r.n)]));
  }
  const incidents = await queryRows<Stored['incidents'][number]>(
    ch,
    sql`SELECT tenant_id, incident_id, status, toString(version) AS version FROM ${qualified(db, 'incidents')} FINAL ORDER BY tenant_id, incident_id`.text,
  );
  const admin = createKafka(h.env.config.kafka, testLog).admin();
  await admin.connect();
  const events = (await admin.fetchTopicOffsets(h.env.config.topics.events)).reduce((n, o) => n + Number(o.high), 0);
  await admin.disconnect();
  return { tables, incidents, events };
}

afterAll(async () => {
  await h?.close();
});

const victimMarkers = () => ['alice@a.example', victim.alert.incident_id, victim.alert.alert_id, ...victim.events.map((e) => e.event_id)];

/**
 * The rows of an answer that are not the attacker's: every object in the JSON that names a tenant
 * or a user must name tenant-b and bob. A leak the victim markers miss (another row of tenant-a,
 * with ids this test did not seed) is still caught.
 */
function foreignRows(body: string): unknown[] {
  const foreign: unknown[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (v === null || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (('tenant_id' in o && o.tenant_id !== 'tenant-b') || ('user_id' in o && o.user_id !== 'bob@b.example')) foreign.push(o);
    Object.values(o).forEach(walk);
  };
  walk(JSON.parse(body));
  return foreign;
}

/** Fails on any victim marker in the answer, and on any row of another tenant or user in a JSON answer. */
function expectNoForeignRows(res: { statusCode: number; headers: Record<string, unknown>; body: string }, shown: string): void {
  for (const m of victimMarkers()) if (res.body.includes(m)) throw new Error(`tenant-a data leaked: ${shown}`);
  if (res.statusCode !== 200 || !String(res.headers['content-type']).startsWith('application/json')) return;
  const foreign = foreignRows(res.body);
  if (foreign.length > 0) throw new Error(`rows of another tenant or user: ${shown}: ${JSON.stringify(foreign[0]).slice(0, 300)}`);
}

// `text` params reach ClickHouse as string literals; `checked` params are validated (enum, time,
// cursor, limit) and a hostile value is refused before any query.
const cases: { route: string; text: string[]; checked: string[] }[] = [
  { route: '/v1/incidents', text: ['user', 'rule', 'text'], checked: ['status', 'severity', 'from', 'to', 'cursor', 'limit'] },
  { route: '/v1/alerts', text: ['user', 'rule'], checked: ['incident', 'severity', 'from', 'to', 'cursor', 'limit'] },
  { route: '/v1/events', text: ['user', 'session', 'tool', 'class', 'server'], checked: ['status', 'kind', 'from', 'to', 'cursor', 'limit'] },
];

/** One GET as the attacker; fails on anything but 200/400 or on any row of the victim tenant. */
async function probe(route: string, params: Record<string, string>): Promise<number> {
  // The events search reaches back far enough to see the seeded events.
  const query = route === '/v1/events' && !('from' in params) ? { from: '2000-01-01T00:00:00Z', ...params } : params;
  const res = await h.app.inject({ method: 'GET', url: route, query, headers });
  const shown = JSON.stringify(params).slice(0, 160);
  if (![200, 400].includes(res.statusCode)) throw new Error(`${route} ${shown} → ${res.statusCode} ${res.body.slice(0, 300)}`);
  if (res.statusCode === 400 && !String(res.headers['content-type']).startsWith('application/problem+json')) throw new Error(`${route} ${shown}: 400 without problem+json`);
  expectNoForeignRows(res, `${route} ${shown}`);
  return res.statusCode;
}

describe('hostile filter values', () => {
  let seed = 1;
  for (const { route, text, checked } of cases) {
    it(`${route}: ${text.join(', ')} each get ${PER_PARAM}+ hostile values at once per request, and each curated value alone`, async () => {
      // Values within the 256-character bound, so every request reaches ClickHouse with all of them.
      const perParam = text.map(() => values(seed++).filter((v) => v.length <= 256));
      const n = Math.min(...perParam.map((v) => v.length));
      expect(n).toBeGreaterThanOrEqual(PER_PARAM * 0.9);
      const combined = Array.from({ length: n }, (_, i) => Object.fromEntries(text.map((p, k) => [p, perParam[k]![i]!])));
      // Alone, so no other filter could hide a leak (e.g. `x' OR tenant_id = 'tenant-a`), incl. 100 KB values.
      const alone = text.flatMap((p) => [...CURATED, ...fc.sample(huge, { numRuns: 10, seed })].map((v) => ({ [p]: v })));
      const statuses: number[] = [];
      await inParallel([...combined, ...alone], async (params) => void statuses.push(await probe(route, params)));
      expect(statuses.filter((c) => c === 200).length).toBeGreaterThan(n / 2);
    });

    for (const param of checked) {
      const s = seed++;
      it(`${route}?${param}=<${PER_PARAM}+ hostile values> → 200 or 400`, async () => {
        await inParallel(values(s), async (value) => void (await probe(route, { [param]: value })));
      });
    }
  }

  it(`/v1/incidents/<${PER_PARAM}+ hostile ids> and POST .../status → 400, 404 or 414`, async () => {
    await inParallel(values(999), async (value) => {
      const url = `/v1/incidents/${encodeURIComponent(value)}`;
      const get = await h.app.inject({ method: 'GET', url, headers });
      const post = await h.app.inject({ method: 'POST', url: `${url}/status`, headers, payload: { action: 'resolve', note: value.slice(0, 4000), actor: value.slice(0, 200) || 'x' } });
      for (const res of [get, post]) {
        if (![400, 404, 414].includes(res.statusCode)) throw new Error(`${url.slice(0, 120)} → ${res.statusCode} ${res.body.slice(0, 300)}`);
      }
    });
  });

  /** Fails on a status outside `allowed`, a 4xx that is not problem+json, or any row of the victim tenant. */
  function expectSafe(res: { statusCode: number; headers: Record<string, unknown>; body: string }, allowed: number[], label: string): void {
    const shown = label.slice(0, 160);
    if (!allowed.includes(res.statusCode)) throw new Error(`${shown} → ${res.statusCode} ${res.body.slice(0, 300)}`);
    if (res.statusCode >= 400 && res.statusCode !== 414 && !String(res.headers['content-type']).startsWith('application/problem+json')) {
      throw new Error(`${shown}: ${res.statusCode} without problem+json`);
    }
    expectNoForeignRows(res, shown);
  }

  // Path parameters of the baseline views reach ClickHouse as string literals (up to 256 characters).
  const baselinePaths: [string, (v: string) => string][] = [
    ['user_id', (v) => `/v1/baselines/users/${encodeURIComponent(v)}`],
    ['server_name', (v) => `/v1/baselines/tools/${encodeURIComponent(v)}/search_email`],
    ['tool_name', (v) => `/v1/baselines/tools/gmail/${encodeURIComponent(v)}`],
  ];
  for (const [param, url] of baselinePaths) {
    const s = seed++;
    it(`/v1/baselines: ${param}=<${PER_PARAM}+ hostile values> → 200, 400, 404 or 414`, async () => {
      let queried = 0;
      await inParallel(values(s), async (value) => {
        const res = await h.app.inject({ method: 'GET', url: url(value), headers });
        expectSafe(res, [200, 400, 404, 414], `${param}=${JSON.stringify(value)}`);
        if (res.statusCode === 404) queried++;
      });
      // Most values pass validation and are looked up (and not found) in ClickHouse.
      expect(queried).toBeGreaterThan(PER_PARAM / 2);
    });
  }

  it(`/v1/rules/<${PER_PARAM}+ hostile ids> and POST .../dry-run → 400, 404 or 414`, async () => {
    const to = new Date().toISOString();
    await inParallel(values(seed++), async (value) => {
      const url = `/v1/rules/${encodeURIComponent(value)}`;
      const get = await h.app.inject({ method: 'GET', url, headers });
      const post = await h.app.inject({ method: 'POST', url: `${url}/dry-run`, headers, payload: { from: '2000-01-01T00:00:00Z', to } });
      for (const res of [get, post]) expectSafe(res, [400, 404, 414], `rule id ${JSON.stringify(value)}`);
    });
  });

  for (const field of ['from', 'to'] as const) {
    const s = seed++;
    it(`POST /v1/rules/{id}/dry-run {${field}: <${PER_PARAM}+ hostile values>} → 200 or 400`, async () => {
      const valid = { from: new Date(Date.now() - 2 * 3_600_000).toISOString(), to: new Date().toISOString() };
      await inParallel(values(s), async (value) => {
        const res = await h.app.inject({ method: 'POST', url: '/v1/rules/exfil.mail-secret-send/dry-run', headers, payload: { ...valid, [field]: value } });
        expectSafe(res, [200, 400], `${field}=${JSON.stringify(value)}`);
      });
    });
  }

  it('a dry run over the victim chain raises only the own tenant\'s alert (the dry run does work)', async () => {
    const payload = { from: new Date(victim.alert.ts).getTime() - 60_000, to: Date.parse(own.alert.ts) + 60_000 };
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/rules/exfil.mail-secret-send/dry-run',
      headers,
      payload: { from: new Date(payload.from).toISOString(), to: new Date(payload.to).toISOString() },
    });
    expectSafe(res, [200], 'dry run');
    expect(JSON.parse(res.body)).toMatchObject({ alert_count: 1, alerts: [{ user_id: 'bob@b.example' }] });
  });

  it('the victim tenant still sees its data, and the own tenant its own (the filters do work)', async () => {
    const mine = await h.app.inject({ url: '/v1/incidents', query: { text: 'slack' }, headers });
    expect(mine.statusCode).toBe(200);
    expect(mine.body).toContain(own.alert.incident_id);
    expect(foreignRows(mine.body)).toEqual([]);
    const theirs = await h.app.inject({ url: '/v1/incidents', headers: victimHeaders });
    expect(theirs.statusCode).toBe(200);
    const items = (JSON.parse(theirs.body) as { items: { incident_id: string; status: string; user_id: string }[] }).items;
    expect(items).toEqual([expect.objectContaining({ incident_id: victim.alert.incident_id, status: 'open', user_id: 'alice@a.example' })]);
    // The check every answer above passed does see a row of tenant-a: this answer has one.
    expect(foreignRows(theirs.body)).toHaveLength(1);
  });

  it('nothing was stored or produced: every table and the events topic hold what they held before', async () => {
    const after = await stored();
    expect(after).toEqual(before);
    // What "before" held, so the comparison cannot pass on two empty databases: both tenants' seeded
    // events, alerts and open incidents, no status change, no signal, nothing on the events topic.
    expect(after.tables.events).toEqual({ 'tenant-a': 3, 'tenant-b': 3 });
    expect(after.tables.alerts).toEqual({ 'tenant-a': 1, 'tenant-b': 1 });
    expect(after.tables.incident_history ?? {}).toEqual({});
    expect(after.tables.signals ?? {}).toEqual({});
    expect(after.incidents.map((i) => [i.tenant_id, i.status, i.version])).toEqual([
      ['tenant-a', 'open', '0'],
      ['tenant-b', 'open', '0'],
    ]);
    expect(after.events).toBe(0);
  });

  it('no ClickHouse error and no failed request in the logs', () => {
    const bad = logLines.filter((l) => /DB::Exception|"level":5\d|"level":6\d/.test(l));
    expect(bad.slice(0, 3)).toEqual([]);
  });
});
