// Grafana cannot run here (DESIGN.md §5), so the dashboards are tested the way Grafana would use
// them: every JSON file is validated, every panel and variable query has its variables and the
// ClickHouse plugin's macros expanded (test/support/grafana.query.ts), and then runs on the real
// ClickHouse over simulated data — `DESCRIBE (…)` for the column types and the query itself for rows.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DATASOURCE, renderDashboards, SCHEMA_VERSION } from '../dashboards/build.ts';
import { DRILL_DOWN, seedDashboardData } from './support/dashboards.data.ts';
import { ALL, applyConditionalAll, applyMacros, applyVariables, expandQuery, type QueryContext } from './support/grafana.query.ts';
import { createTestEnv, queryRows, type TestEnv } from './support/test.env.ts';

const DIR = join(import.meta.dirname, '..', 'dashboards');

const datasource = z.strictObject({ type: z.literal(DATASOURCE.type), uid: z.literal(DATASOURCE.uid) });
const target = z.object({
  refId: z.string().min(1),
  datasource,
  editorType: z.literal('sql'),
  queryType: z.enum(['timeSeries', 'table']),
  format: z.union([z.literal(0), z.literal(1)]),
  rawSql: z.string().min(10),
});
const panel = z.object({
  id: z.number().int().positive(),
  type: z.enum(['timeseries', 'stat', 'table', 'barchart', 'piechart']),
  title: z.string().min(1),
  datasource,
  gridPos: z.object({ x: z.number().int().min(0), y: z.number().int().min(0), w: z.number().int().min(1).max(24), h: z.number().int().min(1) }),
  targets: z.array(target).min(1),
});
const variable = z.discriminatedUnion('type', [
  z.object({ type: z.literal('constant'), name: z.literal('database'), query: z.literal('mcp_audit'), hide: z.literal(2) }),
  z.object({ type: z.literal('custom'), name: z.string(), query: z.string().min(1), multi: z.boolean() }),
  z.object({ type: z.literal('query'), name: z.string(), datasource, multi: z.boolean(), query: z.object({ rawSql: z.string().min(10) }) }),
]);
const dashboard = z.object({
  uid: z.string().regex(/^mcp-audit-[a-z-]+$/),
  title: z.string().min(1),
  schemaVersion: z.literal(SCHEMA_VERSION),
  tags: z.array(z.string()).refine((tags) => tags.includes('mcp-audit'), 'tagged mcp-audit'),
  templating: z.object({ list: z.array(variable) }),
  panels: z.array(panel).min(1),
});
type Dashboard = z.infer<typeof dashboard>;

async function loadDashboards(): Promise<Map<string, { text: string; json: Dashboard }>> {
  const files = (await readdir(DIR)).filter((f) => f.endsWith('.json')).sort();
  const out = new Map<string, { text: string; json: Dashboard }>();
  for (const f of files) {
    const text = await readFile(join(DIR, f), 'utf8');
    out.set(f, { text, json: dashboard.parse(JSON.parse(text)) });
  }
  return out;
}

const NUMERIC = /^(Nullable\()?(U?Int\d+|Float\d+|Decimal)/;
const TIME = /^(Nullable\()?(DateTime|Date)\b/;

/** What a panel type needs from its columns, from DESCRIBE's (name, type) list; null when it fits. */
function columnProblem(type: string, cols: { name: string; type: string }[]): string | null {
  const numeric = cols.filter((c) => NUMERIC.test(c.type));
  if (numeric.length === 0) return 'no numeric value column';
  if (type === 'timeseries') {
    if (!TIME.test(cols[0]!.type)) return `first column ${cols[0]!.name} is ${cols[0]!.type}, not a time`;
    const rest = cols.slice(1).filter((c) => !NUMERIC.test(c.type) && c.type !== 'String');
    if (rest.length) return `time series columns must be labels (String) or numbers: ${rest.map((c) => `${c.name} ${c.type}`).join(', ')}`;
  }
  if (type === 'barchart' && NUMERIC.test(cols[0]!.type)) return 'bar chart needs a label (or time) first';
  return null;
}

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
    const files = await loadDashboards();
    const failures: string[] = [];
    let ran = 0;
    for (const [file, { json }] of files) {
      const vars = json.templating.list;
      const names = vars.map((v) => v.name);
      // Multi-value variables are run both with All selected and with one value; single ones with the drill-down choice.
      const selections: Record<string, string | string[]>[] = names.includes('user')
        ? [{ tenant: DRILL_DOWN.tenant, user: DRILL_DOWN.user }]
        : [
            { tenant: ALL, severity: ALL },
            { tenant: [DRILL_DOWN.tenant], severity: ['critical', 'high', 'medium', 'low', 'info'] },
          ];
      for (const selection of selections) {
        const ctx: QueryContext = { ...range, variables: { database: t.config.clickhouse.database, ...selection } };
        const queries = [
          ...vars.flatMap((v) => (v.type === 'query' ? [{ what: `variable ${v.name}`, type: 'variable', sql: v.query.rawSql }] : [])),
          ...json.panels.flatMap((p) => p.targets.map((tg) => ({ what: `panel "${p.title}"`, type: p.type, sql: tg.rawSql }))),
        ];
        for (const q of queries) {
          const where = `${file} ${q.what} [${JSON.stringify(selection)}]`;
          try {
            const sql = expandQuery(q.sql, ctx);
            const cols = await queryRows<{ name: string; type: string }>(t.clickhouse, `DESCRIBE (${sql})`);
            const problem = q.type === 'variable' ? (cols.length === 1 ? null : 'a variable query returns one column') : columnProblem(q.type, cols);
            const rows = await queryRows<Record<string, unknown>>(t.clickhouse, sql);
            if (problem) failures.push(`${where}: ${problem}`);
            else if (rows.length === 0) failures.push(`${where}: no rows`);
            ran++;
          } catch (err) {
            failures.push(`${where}: ${(err as Error).message.split('\n')[0]}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(ran).toBeGreaterThan(50);
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
