// The modern-ClickHouse lane: the SQL the project sends, run on a current ClickHouse engine in this
// process (chdb, test/support/chdb.client.ts) with `compatibility='25.8'`, the line docker-compose
// deploys, while every other test runs on the 18.16 server. It drives the real code paths (the
// migration runner, the API over every route of its OpenAPI document, the baseline computation,
// the detector's rebuilds and backtest, retention, the sinks) plus every dashboard query, records
// each statement they send, and checks that every source file talking to ClickHouse was reached,
// so a new query cannot slip past it.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type ApiApp } from '../api/app.ts';
import { KeyStore } from '../api/auth/key.store.ts';
import { listIncidentsQuery } from '../api/queries/incidents.queries.ts';
import { scopeOfKey } from '../api/queries/tenant.scope.ts';
import type { ClickHouseClient } from '../core/clickhouse.ts';
import { loadConfig, type Config } from '../core/config.ts';
import { createRegistry } from '../core/metrics.ts';
import { computeBaselines } from '../detector/baselines/baselines.compute.ts';
import { loadBaselineSnapshot } from '../detector/baselines/baselines.load.ts';
import { IncidentGrouper } from '../detector/incident.grouper.ts';
import { rebuildState } from '../detector/state.rebuild.ts';
import { toEventRow } from '../ingest/event.row.ts';
import { RowsSink } from '../ingest/events.sink.ts';
import { migrate } from '../migrations/migrate.ts';
import { dropOldPartitions } from '../migrations/retention.ts';
import { createDeliveryLog } from '../notifier/delivery.log.ts';
import { insertAlerts, insertEvents, makeChain, toolCall, type Chain } from './support/api.factory.ts';
import { createChdbEngine, COMPATIBILITY, type ChdbEngine } from './support/chdb.client.ts';
import { seedDashboardData } from './support/dashboards.data.ts';
import { checkDashboardQuery, dashboardQueries } from './support/dashboards.queries.ts';
import { testLog } from './support/test.env.ts';

const ROOT = join(import.meta.dirname, '..');
const DB = 'mcp_audit_modern';
const NOW = Date.now();
const HOUR = 3_600_000;
/** The API's tenant: apart from the dashboard data's tenants, so filters can be checked by count. */
const TENANT = 'initech';

let engine: ChdbEngine;
let ch: ClickHouseClient;
let config: Config;

const rowsOf = async <T = Record<string, unknown>>(sql: string) => (await ch.query({ query: sql, format: 'JSONEachRow' })).json<T>();

beforeAll(async () => {
  engine = createChdbEngine();
  config = loadConfig({ ...process.env, MCP_AUDIT_CLICKHOUSE_DATABASE: DB });
  // Migrations run on a client without a database, as `mcp-audit migrate` does.
  await migrate(engine.client(null), DB, testLog);
  ch = engine.client(DB);
});

afterAll(async () => {
  await engine?.close();
});

describe('the engine', () => {
  it(`is a current ClickHouse running with compatibility=${COMPATIBILITY}`, async () => {
    const [r] = await rowsOf<{ v: string; c: string }>("SELECT version() AS v, getSetting('compatibility') AS c");
    expect(Number(r!.v.split('.')[0])).toBeGreaterThanOrEqual(25);
    expect(r!.c).toBe(COMPATIBILITY);
  });

  it("returns 64-bit integers as JSON numbers, unlike 18.16's strings (the code reads both)", async () => {
    const [r] = await rowsOf<{ n: unknown }>('SELECT toUInt64(9007199254740991) AS n');
    expect(r!.n).toBe(9007199254740991);
  });

  it('with async_insert on (a default of newer releases), the sink still resolves only once its rows are readable', async () => {
    const asyncCh = engine.client(DB, { async_insert: 1 });
    const [setting] = await (await asyncCh.query({ query: "SELECT getSetting('async_insert') AS a, getSetting('wait_for_async_insert') AS w", format: 'JSONEachRow' })).json<{ a: unknown; w: unknown }>();
    expect([Number(setting!.a), Number(setting!.w)]).toEqual([1, 1]);
    const sink = new RowsSink<ReturnType<typeof toEventRow>>(asyncCh, testLog, { table: `${DB}.events`, toRow: (r) => r, retryMaxMs: 1_000, signal: new AbortController().signal });
    const rows = [toolCall(TENANT, 'erin@acme.com', NOW, { server: 'fetch', tool: 'fetch_url', host: 'example.org' })].map((e) => toEventRow(e, { topic: 'async', partition: 0, offset: '7' }, Math.floor(NOW / 1000)));
    expect((await sink.write(rows)).rejected).toEqual([]);
    expect(await rowsOf(`SELECT event_id FROM ${DB}.events WHERE kafka_topic = 'async'`)).toEqual([{ event_id: rows[0]!.event_id }]);
  });
});

describe('migrations', () => {
  it('every migration applied, and a second run applies nothing', async () => {
    const again = await migrate(engine.client(null), DB, testLog);
    expect(again.applied).toEqual([]);
    expect(again.skipped.length).toBeGreaterThanOrEqual(5);
    const tables = (await rowsOf<{ name: string }>(`SELECT name FROM system.tables WHERE database = '${DB}' ORDER BY name`)).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['events', 'alerts', 'incidents', 'incident_history', 'baselines', 'baseline_runs', 'api_keys', 'deliveries', 'ingest_stats', 'schema_migrations']));
  });

  it('in cluster mode every statement the runner sends parses (ON CLUSTER cannot run without Keeper)', async () => {
    // The runner talks to this client: each statement is parsed by the engine (EXPLAIN AST) instead
    // of run, and nothing counts as applied yet, so every migration's cluster form is sent.
    const parsed: string[] = [];
    const parse = async (query: string) => {
      await ch.query({ query: `EXPLAIN AST ${query}`, format: 'TabSeparated' }).then((r) => r.text());
      parsed.push(query);
    };
    const parseOnly = {
      command: async ({ query }: { query: string }) => parse(query),
      query: async ({ query }: { query: string }) => {
        await parse(query);
        return { json: async () => [] };
      },
      insert: async () => undefined,
    } as unknown as ClickHouseClient;
    await migrate(parseOnly, 'mcp_audit_cluster', testLog, { cluster: 'mcp_audit' });
    const ddl = parsed.filter((q) => !q.startsWith('SELECT'));
    expect(ddl.length).toBeGreaterThan(20);
    for (const q of ddl) expect(q).toContain('ON CLUSTER `mcp_audit`');
    expect(ddl.some((q) => /ENGINE = ReplicatedReplacingMergeTree\('/.test(q))).toBe(true);
    expect(ddl.some((q) => /ENGINE = Distributed\('mcp_audit'/.test(q))).toBe(true);
  });
});

describe('the SQL the services send', () => {
  let app: ApiApp;
  let chains: Chain[];
  let headers: Record<string, string>;
  const requested = new Set<string>();

  beforeAll(async () => {
    await seedDashboardData(ch, DB, NOW);
    chains = Array.from({ length: 6 }, (_, i) =>
      makeChain(TENANT, i % 2 ? 'alice@acme.com' : 'bob@acme.com', NOW - 3 * HOUR + i * 60_000, {
        severity: i % 3 === 0 ? 'critical' : 'medium',
        rule: i % 2 ? 'exfil.rare-rule' : 'exfil.email-then-secret-then-send',
        summary: `chain ${i} needle`,
      }),
    );
    await insertEvents(ch, DB, chains.flatMap((c) => c.events));
    // A week of ordinary calls for the baselines, a few of them failed.
    const usual = Array.from({ length: 7 * 24 }, (_, h) =>
      toolCall(TENANT, h % 2 ? 'alice@acme.com' : 'bob@acme.com', NOW - 8 * 24 * HOUR + h * HOUR, { server: 'filesystem', tool: 'read_file', path: '/srv/a', error: h % 17 === 0 }),
    );
    await insertEvents(ch, DB, usual);
    await insertAlerts(ch, DB, chains.map((c) => c.alert));
    const keys = new KeyStore(ch, DB);
    app = await buildApp({
      config,
      clickhouse: ch,
      // POST /v1/events only hands events to Kafka (no SQL); this lane does not call it.
      events: { sendMany: async () => Promise.reject(new Error('no Kafka in the modern-ClickHouse lane')) },
      log: testLog,
      registry: createRegistry('api'),
      kafkaReady: async () => true,
      keyStore: keys,
    });
    headers = { authorization: `Bearer ${(await keys.create(TENANT, ['admin'], 'modern-lane')).key}` };
  });

  afterAll(async () => {
    await app?.close();
  });

  const call = async (method: 'GET' | 'POST', route: string, url: string, payload?: object) => {
    requested.add(`${method} ${route}`);
    const res = await app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
    return JSON.parse(res.body) as Record<string, unknown> & { items?: Record<string, unknown>[]; next_cursor?: string | null };
  };

  it('GET /v1/incidents answers for every filter, alone and together, and pages', async () => {
    const from = new Date(NOW - 4 * HOUR).toISOString();
    const to = new Date(NOW).toISOString();
    const filters = [
      '',
      ...['open', 'acknowledged', 'resolved', 'false_positive'].map((s) => `status=${s}`),
      ...['critical', 'high', 'medium', 'low', 'info'].map((s) => `severity=${s}`),
      'user=alice%40acme.com',
      'rule=exfil.rare-rule',
      'text=NEEDLE',
      `from=${from}`,
      `to=${to}`,
      `status=open&severity=critical&user=bob%40acme.com&rule=exfil.email-then-secret-then-send&text=chain&from=${from}&to=${to}`,
    ];
    for (const f of filters) await call('GET', '/v1/incidents', `/v1/incidents?limit=2&${f}`);
    const all = await call('GET', '/v1/incidents', '/v1/incidents?limit=100&user=alice%40acme.com');
    expect(all.items!.map((i) => i.incident_id).sort()).toEqual(chains.filter((_, i) => i % 2).map((c) => c.alert.incident_id).sort());
    const first = await call('GET', '/v1/incidents', '/v1/incidents?limit=2&user=bob%40acme.com');
    expect(first.next_cursor).toBeTruthy();
    const second = await call('GET', '/v1/incidents', `/v1/incidents?limit=2&user=bob%40acme.com&cursor=${first.next_cursor}`);
    expect(second.items).toHaveLength(1);
  });

  it('an incident: detail, status changes and history; the status filter follows', async () => {
    const id = chains[2]!.alert.incident_id;
    await call('GET', '/v1/incidents/:incident_id', `/v1/incidents/${id}`);
    await call('POST', '/v1/incidents/:incident_id/status', `/v1/incidents/${id}/status`, { action: 'acknowledge', note: 'looking' });
    const detail = await call('GET', '/v1/incidents/:incident_id', `/v1/incidents/${id}`);
    expect(detail).toMatchObject({ incident: { status: 'acknowledged' } });
    const acked = await call('GET', '/v1/incidents', '/v1/incidents?status=acknowledged&limit=100');
    expect(acked.items!.map((i) => i.incident_id)).toContain(id);
    expect(acked.items!.every((i) => typeof i.alert_count === 'number')).toBe(true);
  });

  it('GET /v1/alerts and GET /v1/events answer for every filter', async () => {
    const from = new Date(NOW - 4 * HOUR).toISOString();
    const to = new Date(NOW).toISOString();
    const incident = chains[1]!.alert.incident_id;
    for (const f of ['', 'severity=critical', 'user=alice%40acme.com', 'rule=exfil.rare-rule', `incident=${incident}`, `from=${from}&to=${to}`]) {
      await call('GET', '/v1/alerts', `/v1/alerts?limit=2&${f}`);
    }
    const alerts = await call('GET', '/v1/alerts', '/v1/alerts?limit=2');
    await call('GET', '/v1/alerts', `/v1/alerts?limit=2&cursor=${alerts.next_cursor}`);
    const week = `from=${new Date(NOW - 9 * 24 * HOUR).toISOString()}`;
    const eventFilters = ['', week, 'user=alice%40acme.com', 'session=sess-1', 'tool=read_file', 'class=secret.read', 'server=filesystem', `status=error&${week}`, 'kind=tool_call', `from=${from}&to=${to}`];
    for (const f of eventFilters) await call('GET', '/v1/events', `/v1/events?limit=2&${f}`);
    const events = await call('GET', '/v1/events', `/v1/events?limit=2&from=${from}`);
    await call('GET', '/v1/events', `/v1/events?limit=2&from=${from}&cursor=${events.next_cursor}`);
  });

  it('baselines: computed, loaded by the detector, and served by the API', async () => {
    const run = await computeBaselines(ch, DB, { lookbackDays: 28, now: NOW, log: testLog });
    expect(run.userKeys).toBeGreaterThan(0);
    expect(run.toolKeys).toBeGreaterThan(0);
    const snapshot = await loadBaselineSnapshot(ch, DB);
    expect(snapshot.user(TENANT, 'alice@acme.com')).toBeDefined();
    await call('GET', '/v1/baselines/users/:user_id', '/v1/baselines/users/alice%40acme.com');
    await call('GET', '/v1/baselines/tools/:server_name/:tool_name', '/v1/baselines/tools/filesystem/read_file');
  });

  it('rules: listed, shown, and dry-run (the backtest) for a sequence and a baseline-judged rule', async () => {
    const list = await call('GET', '/v1/rules', '/v1/rules');
    const ids = (list.items as { id: string; kind: string }[]).map((r) => r);
    await call('GET', '/v1/rules/:rule_id', `/v1/rules/${ids[0]!.id}`);
    const range = { from: new Date(NOW - 4 * HOUR).toISOString(), to: new Date(NOW).toISOString() };
    const seq = await call('POST', '/v1/rules/:rule_id/dry-run', '/v1/rules/exfil.mail-secret-send/dry-run', range);
    expect(Number(seq.alert_count)).toBeGreaterThan(0);
    const judged = ids.find((r) => r.kind === 'first_seen' || r.kind === 'baseline')!;
    await call('POST', '/v1/rules/:rule_id/dry-run', `/v1/rules/${judged.id}/dry-run`, range);
  });

  it('health and metrics', async () => {
    await call('GET', '/healthz', '/healthz');
    await call('GET', '/readyz', '/readyz');
    requested.add('GET /metrics');
    expect((await app.inject({ url: '/metrics' })).statusCode).toBe(200);
  });

  it('every route of the OpenAPI document was requested (POST /v1/events sends to Kafka, not ClickHouse)', async () => {
    const doc = JSON.parse((await app.inject({ url: '/openapi.json' })).body) as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`));
    expect(routes.length).toBeGreaterThan(10);
    expect(routes.filter((r) => !requested.has(r) && r !== 'POST /v1/events')).toEqual([]);
  });

  it("the detector's restart rebuilds (state and incidents) and the ingest and notifier writers", async () => {
    const replayed: Record<string, unknown>[] = [];
    await rebuildState({ ch, database: DB, topic: 'test', cursors: [{ partition: 0, committed: 1 }], windowMs: 4 * HOUR, nowMs: NOW, waitForIngestMs: 0, ingestCommitted: async () => new Map([[0, 1]]), log: testLog, replay: (r) => replayed.push(r) });
    expect(replayed.length).toBeGreaterThan(0);
    expect(await new IncidentGrouper(24 * HOUR).rebuild(ch, DB, NOW)).toBeGreaterThan(0);

    const sink = new RowsSink<ReturnType<typeof toEventRow>>(ch, testLog, { table: `${DB}.events`, toRow: (r) => r, retryMaxMs: 1_000, signal: new AbortController().signal });
    const rows = [toolCall(TENANT, 'dave@acme.com', NOW, { server: 'fetch', tool: 'fetch_url', host: 'example.com' })].map((e) => toEventRow(e, { topic: 'sink', partition: 0, offset: '1' }, Math.floor(NOW / 1000)));
    expect((await sink.write(rows)).rejected).toEqual([]);
    expect(await rowsOf(`SELECT event_id FROM ${DB}.events WHERE kafka_topic = 'sink'`)).toHaveLength(1);

    let dropped = 0;
    const deliveries = createDeliveryLog(ch, DB, 'modern-lane', testLog, (n) => (dropped += n));
    deliveries.add({ destination: 'soc', destination_type: 'standard_webhooks', alert_id: chains[0]!.alert.alert_id, tenant_id: TENANT, outcome: 'delivered', reason: '', http_status: 200, attempt: 1, request_ms: 5, latency_ms: 50 });
    await deliveries.close();
    expect(dropped).toBe(0);
    expect(await rowsOf(`SELECT alert_id FROM ${DB}.deliveries WHERE instance = 'modern-lane'`)).toHaveLength(1);
  });

  it('every dashboard variable and panel query runs with the right columns and returns rows', async () => {
    const queries = await dashboardQueries(DB, { from: new Date(NOW - 6 * HOUR), to: new Date(NOW + 60_000), intervalSeconds: 60 });
    const failures: string[] = [];
    for (const q of queries) {
      const problem = await checkDashboardQuery(q, (sql) => rowsOf(sql));
      if (problem) failures.push(problem);
    }
    expect(failures).toEqual([]);
    expect(queries.length).toBeGreaterThan(50);
  });

  it('retention lists, then drops, the daily partitions past the period', async () => {
    const listed = await dropOldPartitions(ch, DB, 2, { dryRun: true, log: testLog, now: new Date(NOW) });
    expect(listed.some((p) => p.startsWith('events/'))).toBe(true);
    expect(await dropOldPartitions(ch, DB, 2, { dryRun: false, log: testLog, now: new Date(NOW) })).toEqual(listed);
    expect(await dropOldPartitions(ch, DB, 2, { dryRun: true, log: testLog, now: new Date(NOW) })).toEqual([]);
  });

  it('reached every source file that sends SQL (a new one must be driven here too)', async () => {
    const senders = await sqlSenders();
    const reached = new Set(engine.sent.flatMap((s) => s.callers));
    // ingest.stats.ts writes `ingest_stats` for a running Kafka consumer; its rows are the ones the
    // dashboard data seeds, and their reads run above.
    expect(senders.filter((f) => !reached.has(f) && f !== 'ingest/ingest.stats.ts')).toEqual([]);
    expect(engine.sent.length).toBeGreaterThan(150);
  });
});

describe('the incident list before the fix', () => {
  it('is refused by modern ClickHouse: a joined subquery needs an alias (code 206)', async () => {
    const scope = scopeOfKey(TENANT, DB);
    const fixed = listIncidentsQuery(scope, { cursor: null, limit: 10 }).text;
    const old = fixed.replace(/\) AS \w+\s+ANY LEFT JOIN/, ') ANY LEFT JOIN').replace(/\) AS \w+ USING incident_id/, ') USING incident_id');
    expect(old).not.toBe(fixed);
    await expect(rowsOf(old)).rejects.toMatchObject({ code: '206' });
    await expect(rowsOf(fixed)).resolves.toBeDefined();
  });
});

/** Project source files (outside tests, benchmarks and node_modules) that send statements to ClickHouse. */
async function sqlSenders(dir = ROOT): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    const path = relative(ROOT, full);
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.') && !['node_modules', 'test', 'bench'].includes(path)) out.push(...(await sqlSenders(full)));
    } else if (path.endsWith('.ts') && !path.endsWith('.test.ts') && SENDS.test(await readFile(full, 'utf8'))) {
      out.push(path);
    }
  }
  return out.sort();
}

/** A call of the client's query, command, insert or exec (`ch.`, `this.ch.`, `clickhouse.`), or of api/queries/run.ts. */
const SENDS = /\b(ch|clickhouse)\s*\.(query|command|insert|exec)\(|\brows<[^>]*>\(/;
