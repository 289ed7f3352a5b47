// The dashboards as Grafana would run them: every JSON file under dashboards/ checked against the
// shape the provisioning needs, and every variable and panel query expanded for a selection of
// variables (test/support/grafana.query.ts). Shared by the 18.16 dashboard test and the
// modern-ClickHouse lane, so both run exactly the same SQL.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { DATASOURCE, SCHEMA_VERSION } from '../../dashboards/build.ts';
import { DRILL_DOWN } from './dashboards.data.ts';
import { ALL, expandQuery, type QueryContext } from './grafana.query.ts';

export const DASHBOARDS_DIR = join(import.meta.dirname, '..', '..', 'dashboards');

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
export type Dashboard = z.infer<typeof dashboard>;

export async function loadDashboards(): Promise<Map<string, { text: string; json: Dashboard }>> {
  const files = (await readdir(DASHBOARDS_DIR)).filter((f) => f.endsWith('.json')).sort();
  const out = new Map<string, { text: string; json: Dashboard }>();
  for (const f of files) {
    const text = await readFile(join(DASHBOARDS_DIR, f), 'utf8');
    out.set(f, { text, json: dashboard.parse(JSON.parse(text)) });
  }
  return out;
}

const NUMERIC = /^(Nullable\()?(U?Int\d+|Float\d+|Decimal)/;
const TIME = /^(Nullable\()?(DateTime|Date)\b/;

/** What a panel type needs from its columns, from DESCRIBE's (name, type) list; null when it fits. */
export function columnProblem(type: string, cols: { name: string; type: string }[]): string | null {
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

export interface DashboardQuery {
  /** File, variable or panel, and the variable selection, for failure messages. */
  where: string;
  /** 'variable' or the panel type. */
  type: string;
  /** The expanded SQL, or the expansion error. */
  sql: string | Error;
}

/**
 * Every variable and panel query of every dashboard, expanded. Multi-value variables are run both
 * with All selected and with one value; single ones with the drill-down choice.
 */
export async function dashboardQueries(database: string, range: Omit<QueryContext, 'variables'>): Promise<DashboardQuery[]> {
  const out: DashboardQuery[] = [];
  for (const [file, { json }] of await loadDashboards()) {
    const vars = json.templating.list;
    const names = vars.map((v) => v.name);
    const selections: Record<string, string | string[]>[] = names.includes('user')
      ? [{ tenant: DRILL_DOWN.tenant, user: DRILL_DOWN.user }]
      : [
          { tenant: ALL, severity: ALL },
          { tenant: [DRILL_DOWN.tenant], severity: ['critical', 'high', 'medium', 'low', 'info'] },
        ];
    for (const selection of selections) {
      const ctx: QueryContext = { ...range, variables: { database, ...selection } };
      const queries = [
        ...vars.flatMap((v) => (v.type === 'query' ? [{ what: `variable ${v.name}`, type: 'variable', sql: v.query.rawSql }] : [])),
        ...json.panels.flatMap((p) => p.targets.map((tg) => ({ what: `panel "${p.title}"`, type: p.type, sql: tg.rawSql }))),
      ];
      for (const q of queries) {
        let sql: string | Error;
        try {
          sql = expandQuery(q.sql, ctx);
        } catch (err) {
          sql = err as Error;
        }
        out.push({ where: `${file} ${q.what} [${JSON.stringify(selection)}]`, type: q.type, sql });
      }
    }
  }
  return out;
}

/** Runs one expanded query with `DESCRIBE (…)` and for real; the problem found, or null. */
export async function checkDashboardQuery(q: DashboardQuery, run: (sql: string) => Promise<Record<string, unknown>[]>): Promise<string | null> {
  try {
    if (q.sql instanceof Error) throw q.sql;
    const cols = (await run(`DESCRIBE (${q.sql})`)) as { name: string; type: string }[];
    const problem = q.type === 'variable' ? (cols.length === 1 ? null : 'a variable query returns one column') : columnProblem(q.type, cols);
    const rows = await run(q.sql);
    if (problem) return `${q.where}: ${problem}`;
    if (rows.length === 0) return `${q.where}: no rows`;
    return null;
  } catch (err) {
    return `${q.where}: ${(err as Error).message.split('\n')[0]}`;
  }
}
