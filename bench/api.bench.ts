// `npm run bench:api` (node bench/api.bench.ts): p50/p95 latency of the incident list and the incident
// detail over HTTP with 10,000,000 events and 100,000 alerts in ClickHouse.
//
//   1. a database of its own (`bench_api_<events>_<alerts>`, kept for re-runs; --fresh rebuilds it),
//      filled inside ClickHouse with INSERT ... SELECT FROM numbers(...): 10 tenants; events spread
//      over ~28 hours; 3 alerts per incident, each alert citing 3 real events of its user;
//   2. the API (buildApp) listening on a free port, one admin key per tenant;
//   3. after a warm-up, --requests sequential GET /v1/incidents (plain, and filtered by status, user,
//      severity, text, alternately) and GET /v1/incidents/:id (random incidents), per random tenant;
//   4. prints the percentiles, the CPU time per request of this process (the API and its client) and
//      of ClickHouse (bench/lib/cpu.meter.ts), the machine, the load before and after, and warnings
//      when the machine was busy; the last line is one JSON object.
import { buildApp } from '../api/app.ts';
import { KeyStore } from '../api/auth/key.store.ts';
import { createClickHouse } from '../core/clickhouse.ts';
import { loadConfig } from '../core/config.ts';
import { createLogger } from '../core/logger.ts';
import { createRegistry } from '../core/metrics.ts';
import { ident, qualified, raw, sql } from '../core/sql.ts';
import { migrate } from '../migrations/migrate.ts';
import { stackUp } from '../stack/stack.ts';
import { benchArgs } from './lib/bench.args.ts';
import { beginBench, toStderr } from './lib/bench.run.ts';
import { CpuMeter, type CpuWindow } from './lib/cpu.meter.ts';
import { stackRoles } from './lib/stack.roles.ts';

const opts = benchArgs(
  {
    events: { type: 'string', default: '10000000' },
    alerts: { type: 'string', default: '100000' },
    requests: { type: 'string', default: '200' },
    fresh: { type: 'boolean', default: false },
  },
  `
npm run bench:api -- [options]
p50/p95 latency of the incident list and detail over HTTP, with the events and alerts in ClickHouse
(a database of its own, kept for re-runs). Last stdout line: a JSON object.
  --events N      events in the database (default 10000000; at least 100 x --alerts)
  --alerts N      alerts (default 100000)
  --requests N    timed requests per endpoint (default 200)
  --fresh         rebuild the database even if it exists
  --help          this text`,
);
const EVENTS = Number(opts.events);
const ALERTS = Number(opts.alerts);
const REQUESTS = Number(opts.requests);
const TENANTS = 10;
// Each alert n cites events n*100 + n%10 + {0,10,20}, so there must be 100 events per alert.
if (EVENTS < ALERTS * 100) throw new Error('--events must be at least 100 × --alerts');

const log = createLogger('warn', 'bench-api');
const say = (msg: string) => process.stderr.write(`${msg}\n`);
const frame = beginBench('bench:api', toStderr);
const base = loadConfig();
await stackUp(base, log);
const database = `bench_api_${EVENTS}_${ALERTS}`;
const config = loadConfig({ ...process.env, MCP_AUDIT_CLICKHOUSE_DATABASE: database, MCP_AUDIT_API_RATE_LIMIT_MAX: '1000000', MCP_AUDIT_LOG_LEVEL: 'warn' });
const admin = createClickHouse({ ...config.clickhouse, database: null });
const t = (table: string) => qualified(database, table);
const START = Math.floor(Date.UTC(2025, 5, 2) / 1000);

if (opts.fresh) await admin.command({ query: sql`DROP DATABASE IF EXISTS ${ident(database)}`.text });
await migrate(admin, database, log);
const count = async (table: string) =>
  Number((await (await admin.query({ query: sql`SELECT count() AS n FROM ${t(table)}`.text, format: 'JSONEachRow' })).json<{ n: string }>())[0]!.n);

if ((await count('events')) !== EVENTS || (await count('alerts')) !== ALERTS) {
  for (const table of ['events', 'alerts', 'incidents']) await admin.command({ query: sql`TRUNCATE TABLE ${t(table)}`.text });
  say(`loading ${EVENTS} events and ${ALERTS} alerts into ${database} ...`);
  const began = Date.now();
  // Event e: tenant e%10, its "alert slot" n = e/100, user shared by the 3 alerts of one incident.
  const tenant = sql`concat('tenant-', toString(number % 10))`;
  const userOfEvent = sql`concat('user-', toString((intDiv(intDiv(number, 100), 30) * 10 + number % 10) % 1000))`;
  const servers = sql`['filesystem', 'gmail', 'slack', 'postgres', 'fetch']`;
  const tools = sql`['read_file', 'search_email', 'slack_post_message', 'query', 'fetch_url']`;
  const chunk = 2_000_000;
  for (let from = 0; from < EVENTS; from += chunk) {
    const n = Math.min(chunk, EVENTS - from);
    await admin.command({
      query: sql`INSERT INTO ${t('events')} (event_id, schema_version, ts, ts_ms, tenant_id, kind, mcp_method, mcp_session_id, user_id, agent_id, client_name, client_version,
          server_name, server_transport, tool_name, tool_class, args_preview, resource_paths, result_status, result_size, duration_ms, ingested_at)
        SELECT concat('ev-', toString(number)), 1, toDateTime(${START} + intDiv(number, 100)), (${START} + intDiv(number, 100)) * 1000 + number % 1000,
          ${tenant}, 'tool_call', 'tools/call', concat('sess-', toString(intDiv(number, 1000))), ${userOfEvent}, 'agent-7', 'claude-desktop', '0.9.3',
          ${servers}[number % 5 + 1], 'stdio', ${tools}[number % 5 + 1], '', '{"path":"/home/u/project/README.md"}', ['/home/u/project/README.md'],
          'ok', 100 + number % 5000, number % 1500, now()
        FROM numbers(${from}, ${n})`.text,
    });
    say(`  events ${from + n}/${EVENTS}`);
  }
  // Alert n: tenant n%10; incident = (tenant, n/30): 3 alerts; evidence = events n*100 + n%10 + {0,10,20}.
  const ev = (k: number) => sql`(number * 100 + number % 10 + ${k * 10})`;
  const evTs = (k: number) => sql`concat(replaceOne(toString(toDateTime(${START} + intDiv(${ev(k)}, 100)), 'UTC'), ' ', 'T'), '.', substring(toString(1000 + ${ev(k)} % 1000), 2, 3), 'Z')`;
  // server/tool/cls are constants of this file spliced into a JSON text inside SQL (never input).
  const evJson = (k: number, server: string, tool: string, cls: string) =>
    sql`concat('{"event_id":"ev-', toString(${ev(k)}), '","ts":"', ${evTs(k)}, '","kind":"tool_call","server_name":"${raw(server)}","tool_name":"${raw(tool)}","tool_class":"${raw(cls)}","resource":"/home/u/.ssh/id_rsa","status":"ok"}')`;
  await admin.command({
    query: sql`INSERT INTO ${t('alerts')} (alert_id, incident_id, tenant_id, user_id, session_id, agent_id, client_name, rule_id, rule_version, rule_title, rule_kind,
        severity, severity_rank, risk_score, summary, ts, ts_ms, detected_at, evidence_event_ids, evidence_json, tags, ingested_at)
      SELECT lower(hex(SHA256(concat('alert-', toString(number))))), lower(hex(SHA256(concat('incident-', toString(number % 10), '-', toString(intDiv(number, 30)))))),
        ${tenant}, concat('user-', toString((intDiv(number, 30) * 10 + number % 10) % 1000)), 'sess-1', 'agent-7', 'claude-desktop',
        ['exfil.email-then-secret-then-send', 'pattern.ssh-key-read', 'threshold.many-denied'][number % 3 + 1], 1, 'Mail read, then a credential file read, then data sent out', 'sequence',
        ['info', 'low', 'medium', 'high', 'critical'][number % 5 + 1], number % 5, number % 100, concat('user read mail then a key then posted; alert ', toString(number)),
        toDateTime(${START} + number + 0), (${START} + number) * 1000 + 20, toDateTime(${START} + number + 1),
        [concat('ev-', toString(${ev(0)})), concat('ev-', toString(${ev(1)})), concat('ev-', toString(${ev(2)}))],
        concat('[', ${evJson(0, 'gmail', 'search_email', 'email.read')}, ',', ${evJson(1, 'filesystem', 'read_file', 'secret.read')}, ',', ${evJson(2, 'slack', 'slack_post_message', 'chat.send')}, ']'),
        ['private_data', 'external_sink'], now()
      FROM numbers(${ALERTS})`.text,
  });
  // As ingest does: an 'open' row (version 0) per alert; and a person's decision on every 7th incident.
  await admin.command({
    query: sql`INSERT INTO ${t('incidents')} (tenant_id, incident_id, user_id, session_id, status, note, actor, version, updated_at)
      SELECT tenant_id, incident_id, user_id, session_id, 'open', '', 'mcp-audit', 0, now() FROM ${t('alerts')}`.text,
  });
  await admin.command({
    query: sql`INSERT INTO ${t('incidents')} (tenant_id, incident_id, user_id, session_id, status, note, actor, version, updated_at)
      SELECT tenant_id, incident_id, any(user_id), any(session_id), 'resolved', 'bench', 'bench', toUInt64(now()) * 1000, now() FROM ${t('alerts')}
      GROUP BY tenant_id, incident_id HAVING cityHash64(incident_id) % 7 = 0`.text,
  });
  await admin.command({ query: sql`OPTIMIZE TABLE ${t('incidents')} FINAL`.text });
  say(`loaded in ${((Date.now() - began) / 1000).toFixed(1)} s`);
}
await admin.close();

const clickhouse = createClickHouse(config.clickhouse);
const keyStore = new KeyStore(clickhouse, database);
const app = await buildApp({
  config,
  clickhouse,
  events: { sendMany: async () => {} },
  log,
  registry: createRegistry('bench-api'),
  kafkaReady: async () => true,
  keyStore,
});
const address = await app.listen({ host: '127.0.0.1', port: 0 });
const keys = await Promise.all(Array.from({ length: TENANTS }, async (_, i) => (await keyStore.create(`tenant-${i}`, ['incidents:read'], 'bench')).key));

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
async function get(path: string, key: string): Promise<{ ms: number; body: unknown }> {
  const began = performance.now();
  const res = await fetch(`${address}${path}`, { headers: { authorization: `Bearer ${key}` } });
  const body = await res.json();
  const ms = performance.now() - began;
  if (res.status !== 200) throw new Error(`${path} → ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  return { ms, body };
}

const listPaths = ['/v1/incidents', '/v1/incidents?status=open', '/v1/incidents?user=user-17', '/v1/incidents?severity=critical', '/v1/incidents?text=alert%2012'];
const idsByTenant: string[][] = [];
for (let i = 0; i < TENANTS; i++) {
  const { body } = await get('/v1/incidents?limit=500', keys[i]!);
  idsByTenant.push((body as { items: { incident_id: string }[] }).items.map((x) => x.incident_id));
}

// Sanity: a detail finds every evidence event in the events table (the lookup really reads the 10M rows).
{
  const { body } = await get(`/v1/incidents/${idsByTenant[3]![0]!}`, keys[3]!);
  const d = body as { alerts: unknown[]; story: { from_event_store: boolean }[] };
  if (d.story.length !== d.alerts.length * 3 || !d.story.every((s) => s.from_event_store)) throw new Error(`detail story incomplete: ${JSON.stringify(d).slice(0, 400)}`);
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
// ClickHouse answers the API's queries: its CPU is part of each request (the broker is not involved).
const clickhouseRole = stackRoles(config).filter((r) => r.name === 'clickhouse');
async function measure(label: string, next: () => [string, string]): Promise<{ times: number[]; cpu: CpuWindow }> {
  for (let i = 0; i < 20; i++) await get(...next());
  const times: number[] = [];
  const meter = new CpuMeter(clickhouseRole).start();
  for (let i = 0; i < REQUESTS; i++) times.push((await get(...next())).ms);
  const cpu = meter.stop();
  say(`${label}: p50 ${pct(times, 50).toFixed(1)} ms, p95 ${pct(times, 95).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms (${REQUESTS} requests)`);
  frame.window(label, cpu);
  say(`${label}: CPU per request: this process (API and client) ${((cpu.cpu_s.bench! * 1000) / REQUESTS).toFixed(2)} ms, ClickHouse ${((cpu.cpu_s.clickhouse! * 1000) / REQUESTS).toFixed(2)} ms`);
  return { times, cpu };
}

const { times: list, cpu: listCpu } = await measure('incident list', () => {
  const i = Math.floor(Math.random() * TENANTS);
  return [pick(listPaths), keys[i]!];
});
const { times: detail, cpu: detailCpu } = await measure('incident detail', () => {
  const i = Math.floor(Math.random() * TENANTS);
  return [`/v1/incidents/${pick(idsByTenant[i]!)}`, keys[i]!];
});
await app.close();
await clickhouse.close();

const r = (x: number) => Math.round(x * 10) / 10;
const perRequest = (cpu: CpuWindow) => Object.fromEntries(Object.entries(cpu.cpu_s).map(([name, s]) => [name, Math.round((s * 1000 * 100) / REQUESTS) / 100]));
const frameEnd = frame.finish();
process.stdout.write(
  `${JSON.stringify({
    bench: 'api', events: EVENTS, alerts: ALERTS,
    list_p50_ms: r(pct(list, 50)), list_p95_ms: r(pct(list, 95)), detail_p50_ms: r(pct(detail, 50)), detail_p95_ms: r(pct(detail, 95)),
    list_cpu_ms_per_request: perRequest(listCpu), detail_cpu_ms_per_request: perRequest(detailCpu), list_cpu: listCpu, detail_cpu: detailCpu,
    ...frameEnd,
  })}\n`,
);
