// Grafana cannot run here (docs/architecture.md, Where it runs), so the dashboards are tested the way Grafana would use
// them: every JSON file is validated, every panel and variable query has its variables and the
// ClickHouse plugin's macros expanded (test/support/grafana.query.ts), and then runs on the real
// ClickHouse over simulated data — `DESCRIBE (…)` for the column types and the query itself for rows.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASOURCE, renderDashboards } from '../dashboards/build.ts';
import { DRILL_DOWN, seedDashboardData } from './support/dashboards.data.ts';
import { checkDashboardQuery, dashboardQueries, DASHBOARDS_DIR as DIR, loadDashboards } from './support/dashboards.queries.ts';
import { ALL, applyConditionalAll, applyMacros, applyVariables, expandQuery, type QueryContext } from './support/grafana.query.ts';
import { createTestEnv, queryRows, type TestEnv } from './support/test.env.ts';

let t: TestEnv;
const now = Date.now();
// The time picker: the last 6 hours, Grafana's interval for it at ~360 data points.
const range = { from: new Date(now - 6 * 3_600_000), to: new Date(now + 60_000), intervalSeconds: 60 };

beforeAll(async () => {
  t = await createTestEnv('dashboards');
  await seedDashboardData(t.clickhouse, t.config.clickhouse.database, now);
});
afterAll(async () => t?.clickhouse.close());

describe('the ClickHouse plugin macro and variable expansion (as modelled)', () => {
  const ctx: QueryContext = { from: new Date(1_700_000_000_000), to: new Date(1_700_003_600_500), intervalSeconds: 0.2, variables: { tenant: ALL, one: "o'neil", many: ['a', 'b'] } };

  it('expands time macros to Unix-second DateTimes and interval_s to at least 1', () => {
    expect(applyMacros('WHERE $__timeFilter(ts) AND x > $__fromTime AND y < $__toTime GROUP BY intDiv(toUInt32(ts), $__interval_s)', ctx)).toBe(
      'WHERE ts >= toDateTime(1700000000) AND ts <= toDateTime(1700003600) AND x > toDateTime(1700000000) AND y < toDateTime(1700003600) GROUP BY intDiv(toUInt32(ts), 1)',
    );
  });

  it('drops a $__conditionalAll condition when All is selected and keeps it otherwise', () => {
    expect(applyConditionalAll('a AND $__conditionalAll(t IN (${tenant:singlequote}), $tenant)', ctx.variables)).toBe('a AND 1=1');
    expect(applyConditionalAll('$__conditionalAll(t IN (${many:singlequote}), $many)', ctx.variables)).toBe('t IN (${many:singlequote})');
  });

  it('formats variables like Grafana and the plugin', () => {
    expect(applyVariables('${one:singlequote} ${many:singlequote} $many ${one} $__timeFilter(ts)', ctx.variables)).toBe("'o\\'neil' 'a','b' 'a','b' o'neil $__timeFilter(ts)");
  });

  it('refuses macros ClickHouse 18.16 cannot run and anything left unexpanded', () => {
    expect(() => expandQuery('SELECT $__timeInterval(ts)', ctx)).toThrow(/not supported/);
    expect(() => expandQuery('SELECT $__fromTime_ms', ctx)).toThrow(/not supported/);
    expect(() => expandQuery('SELECT $nope', ctx)).toThrow(/not expanded/);
    expect(() => expandQuery('SELECT ${tenant:singlequote}', ctx)).toThrow(/only appear inside/);
  });
});

describe('dashboards', () => {
  it('the JSON files are exactly what dashboards/build.ts writes, and each is valid', async () => {
    const files = await loadDashboards();
    const built = renderDashboards();
    expect([...files.keys()].sort()).toEqual([...built.keys()].sort());
    for (const [name, text] of built) expect(files.get(name)!.text, `${name} is stale: run node dashboards/build.ts`).toBe(text);
    expect(new Set([...files.values()].map((d) => d.json.uid)).size).toBe(files.size);
    expect([...files.values()].map((d) => d.json.uid).sort()).toEqual(['mcp-audit-detections', 'mcp-audit-overview', 'mcp-audit-pipeline', 'mcp-audit-tools', 'mcp-audit-user']);
  });

  it('the provisioning points Grafana at these files and the ClickHouse data source with the fixed uid', async () => {
    const ds = parseYaml(await readFile(join(DIR, 'provisioning/datasources/clickhouse.yaml'), 'utf8')) as { datasources: { uid: string; type: string }[] };
    expect(ds.datasources).toEqual([expect.objectContaining({ uid: DATASOURCE.uid, type: DATASOURCE.type })]);
    const dash = parseYaml(await readFile(join(DIR, 'provisioning/dashboards/mcp-audit.yaml'), 'utf8')) as { providers: { type: string; options: { path: string } }[] };
    expect(dash.providers[0]).toMatchObject({ type: 'file', options: { path: '/etc/grafana/dashboards/mcp-audit' } });
  });

  it('every variable and panel query runs on ClickHouse with the right columns, and returns rows', async () => {
    const queries = await dashboardQueries(t.config.clickhouse.database, range);
    const failures: string[] = [];
    for (const q of queries) {
      const problem = await checkDashboardQuery(q, (sql) => queryRows<Record<string, unknown>>(t.clickhouse, sql));
      if (problem) failures.push(problem);
    }
    expect(failures).toEqual([]);
    expect(queries.length).toBeGreaterThan(50);
  });

  it('the baseline panel compares with the newest completed baseline run', async () => {
    const { json } = (await loadDashboards()).get('user.json')!;
    const panel = json.panels.find((p) => p.title.includes('against baseline'))!;
    const ctx: QueryContext = { ...range, variables: { database: t.config.clickhouse.database, ...DRILL_DOWN } };
    const rows = await queryRows<{ calls_per_hour: number; baseline_median: number; baseline_p95: number }>(t.clickhouse, expandQuery(panel.targets[0]!.rawSql, ctx));
    expect(rows.length).toBeGreaterThan(10);
    for (const r of rows) expect([Number(r.baseline_median), Number(r.baseline_p95)]).toEqual([41, 90]);
    // 60 s buckets: each call adds 60 to the per-hour rate; she made at least the 60 seeded calls.
    const total = rows.reduce((n, r) => n + Number(r.calls_per_hour), 0);
    expect(total % 60).toBe(0);
    expect(total).toBeGreaterThanOrEqual(60 * 60);
  });
});
