// The Grafana dashboards, written as data with the SQL readable, and written out as the JSON files
// Grafana provisions (`node dashboards/build.ts`). test/dashboards.test.ts checks the JSON files
// equal this output and runs every query against ClickHouse.
//
// SQL rules (they must run on ClickHouse 18.16 and current versions, docs/architecture.md): only the
// ClickHouse plugin macros $__timeFilter(col), $__fromTime, $__toTime, $__interval_s and
// $__conditionalAll(cond, $var); time buckets as intDiv(toUInt32(ts), $__interval_s) * $__interval_s;
// tables as ${database}.<table>, where `database` is a hidden constant variable (default mcp_audit);
// every subquery on either side of a JOIN has an alias (current ClickHouse refuses one without, code 206).
// `events` and `alerts` are ReplacingMergeTree: rates use count() (cheap; a replayed, not yet merged
// duplicate counts twice), lists and incident counts read FINAL or uniqExact.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { quoteString } from '../core/sql.ts';

export const DATASOURCE = { type: 'grafana-clickhouse-datasource', uid: 'mcp-audit-clickhouse' } as const;
export const SCHEMA_VERSION = 39;
const DIR = import.meta.dirname;

type PanelType = 'timeseries' | 'stat' | 'table' | 'barchart' | 'piechart';
interface PanelDef {
  type: PanelType;
  title: string;
  sql: string;
  description?: string;
  unit?: string;
  /** Grid width (of 24) and height; panels flow left to right. */
  w?: number;
  h?: number;
}
type Variable =
  | { kind: 'constant'; name: string; value: string }
  | { kind: 'query'; name: string; label: string; sql: string; multi: boolean }
  | { kind: 'custom'; name: string; label: string; values: readonly string[]; multi: boolean };
interface DashboardDef {
  file: string;
  uid: string;
  title: string;
  description: string;
  variables: Variable[];
  panels: PanelDef[];
}

const db: Variable = { kind: 'constant', name: 'database', value: 'mcp_audit' };
const tenants = (multi: boolean): Variable => ({
  kind: 'query',
  name: 'tenant',
  label: 'Tenant',
  multi,
  sql: 'SELECT DISTINCT tenant_id FROM ${database}.events WHERE $__timeFilter(ts) ORDER BY tenant_id',
});
const TENANT = '$__conditionalAll(tenant_id IN (${tenant:singlequote}), $tenant)';
const bucket = 'toDateTime(intDiv(toUInt32(ts), $__interval_s) * $__interval_s) AS time';
const FAILED = "result_status IN ('error', 'denied')";

const overview: DashboardDef = {
  file: 'overview.json',
  uid: 'mcp-audit-overview',
  title: 'mcp-audit / Overview',
  description: 'All MCP tool calls: volume, capability classes, servers, outcomes, busiest users and tools.',
  variables: [db, tenants(true)],
  panels: [
    { type: 'stat', title: 'Events', w: 6, h: 4, sql: `SELECT count() AS events FROM \${database}.events WHERE $__timeFilter(ts) AND ${TENANT}` },
    {
      type: 'stat',
      title: 'Events per second',
      w: 6,
      h: 4,
      unit: 'short',
      sql: `SELECT count() / greatest(toUInt32($__toTime) - toUInt32($__fromTime), 1) AS events_per_s FROM \${database}.events WHERE $__timeFilter(ts) AND ${TENANT}`,
    },
    {
      type: 'stat',
      title: 'Error rate of tool calls',
      w: 6,
      h: 4,
      unit: 'percentunit',
      description: 'Share of tool calls whose result was error or denied.',
      sql: `SELECT countIf(${FAILED}) / greatest(countIf(result_status != ''), 1) AS error_rate FROM \${database}.events WHERE $__timeFilter(ts) AND ${TENANT}`,
    },
    { type: 'stat', title: 'Active users', w: 6, h: 4, sql: `SELECT uniqExact(tenant_id, user_id) AS users FROM \${database}.events WHERE $__timeFilter(ts) AND ${TENANT}` },
    {
      type: 'timeseries',
      title: 'Events per second',
      w: 12,
      sql: `SELECT ${bucket}, count() / $__interval_s AS events_per_s FROM \${database}.events WHERE $__timeFilter(ts) AND ${TENANT} GROUP BY time ORDER BY time`,
    },
    {
      type: 'timeseries',
      title: 'Error rate',
      w: 12,
      unit: 'percentunit',
      sql: `SELECT ${bucket}, countIf(${FAILED}) / greatest(countIf(result_status != ''), 1) AS error_rate FROM \${database}.events WHERE $__timeFilter(ts) AND ${TENANT} GROUP BY time ORDER BY time`,
    },
    {
      type: 'timeseries',
      title: 'Events per second by capability class',
      w: 8,
      description: 'Events without a class (sessions, tool lists) are shown by kind in brackets.',
      sql: `SELECT ${bucket}, if(tool_class = '', concat('(', kind, ')'), tool_class) AS class, count() / $__interval_s AS events_per_s FROM \${database}.events WHERE $__timeFilter(ts) AND ${TENANT} GROUP BY time, class ORDER BY time, class`,
    },
    {
      type: 'timeseries',
      title: 'Events per second by server',
      w: 8,
      sql: `SELECT ${bucket}, server_name, count() / $__interval_s AS events_per_s FROM \${database}.events WHERE $__timeFilter(ts) AND ${TENANT} GROUP BY time, server_name ORDER BY time, server_name`,
    },
    {
      type: 'timeseries',
      title: 'Tool calls per second by result status',
      w: 8,
      sql: `SELECT ${bucket}, result_status, count() / $__interval_s AS calls_per_s FROM \${database}.events WHERE $__timeFilter(ts) AND ${TENANT} AND kind = 'tool_call' GROUP BY time, result_status ORDER BY time, result_status`,
    },
    {
      type: 'table',
      title: 'Top users',
      w: 12,
      h: 10,
      sql: `SELECT tenant_id, user_id, count() AS calls, countIf(${FAILED}) AS failed, uniqExact(server_name) AS servers, max(ts) AS last_seen FROM \${database}.events WHERE $__timeFilter(ts) AND ${TENANT} GROUP BY tenant_id, user_id ORDER BY calls DESC LIMIT 20`,
    },
    {
      type: 'barchart',
      title: 'Top tools',
      w: 12,
      h: 10,
      sql: `SELECT concat(server_name, '/', tool_name) AS tool, count() AS calls FROM \${database}.events WHERE $__timeFilter(ts) AND ${TENANT} AND kind = 'tool_call' GROUP BY tool ORDER BY calls DESC LIMIT 15`,
    },
  ],
};

const SEVERITY = '$__conditionalAll(severity IN (${severity:singlequote}), $severity)';
const detections: DashboardDef = {
  file: 'detections.json',
  uid: 'mcp-audit-detections',
  title: 'mcp-audit / Detections',
  description: 'Alerts by rule and severity, the open incidents, and how fast people acknowledge them.',
  variables: [db, tenants(true), { kind: 'custom', name: 'severity', label: 'Severity', multi: true, values: ['critical', 'high', 'medium', 'low', 'info'] }],
  panels: [
    { type: 'stat', title: 'Alerts', w: 6, h: 4, sql: `SELECT uniqExact(alert_id) AS alerts FROM \${database}.alerts WHERE $__timeFilter(ts) AND ${TENANT} AND ${SEVERITY}` },
    {
      type: 'stat',
      title: 'Open incidents',
      w: 6,
      h: 4,
      description: 'Incidents whose latest status is open, whatever the time range.',
      sql: `SELECT count() AS open_incidents FROM \${database}.incidents FINAL WHERE status = 'open' AND ${TENANT}`,
    },
    {
      type: 'stat',
      title: 'Median time to acknowledge',
      w: 6,
      h: 4,
      unit: 's',
      description: 'From the first alert of an incident to its first acknowledgement, for incidents whose first alert is in the time range.',
      sql: `SELECT quantile(0.5)(acked_ms - opened_ms) / 1000 AS seconds_to_ack FROM (SELECT tenant_id, incident_id, min(ts_ms) AS opened_ms FROM \${database}.alerts WHERE ${TENANT} GROUP BY tenant_id, incident_id HAVING opened_ms >= toUInt32($__fromTime) * 1000 AND opened_ms <= toUInt32($__toTime) * 1000) AS opened ANY INNER JOIN (SELECT tenant_id, incident_id, min(changed_at_ms) AS acked_ms FROM \${database}.incident_history WHERE status = 'acknowledged' AND ${TENANT} GROUP BY tenant_id, incident_id) AS acked USING (tenant_id, incident_id)`,
    },
    {
      type: 'stat',
      title: 'Users with alerts',
      w: 6,
      h: 4,
      sql: `SELECT uniqExact(tenant_id, user_id) AS users FROM \${database}.alerts WHERE $__timeFilter(ts) AND ${TENANT} AND ${SEVERITY}`,
    },
    {
      type: 'timeseries',
      title: 'Alerts by severity',
      w: 12,
      sql: `SELECT ${bucket}, severity, uniqExact(alert_id) AS alerts FROM \${database}.alerts WHERE $__timeFilter(ts) AND ${TENANT} AND ${SEVERITY} GROUP BY time, severity ORDER BY time, severity`,
    },
    {
      type: 'timeseries',
      title: 'Alerts by rule',
      w: 12,
      sql: `SELECT ${bucket}, rule_id, uniqExact(alert_id) AS alerts FROM \${database}.alerts WHERE $__timeFilter(ts) AND ${TENANT} AND ${SEVERITY} GROUP BY time, rule_id ORDER BY time, rule_id`,
    },
    {
      type: 'table',
      title: 'Open and acknowledged incidents',
      w: 24,
      h: 10,
      sql: `SELECT incident_id, tenant_id, user_id, status, alerts, top_severity, risk, first_alert, last_alert FROM (SELECT tenant_id, incident_id, user_id, status FROM \${database}.incidents FINAL WHERE status IN ('open', 'acknowledged') AND ${TENANT}) AS open_incidents ANY INNER JOIN (SELECT tenant_id, incident_id, count() AS alerts, argMax(severity, severity_rank) AS top_severity, max(risk_score) AS risk, min(ts) AS first_alert, max(ts) AS last_alert FROM \${database}.alerts FINAL WHERE ${TENANT} GROUP BY tenant_id, incident_id) AS incident_alerts USING (tenant_id, incident_id) ORDER BY last_alert DESC LIMIT 100`,
    },
    {
      type: 'barchart',
      title: 'Alerts per rule',
      w: 12,
      h: 9,
      sql: `SELECT rule_id, uniqExact(alert_id) AS alerts FROM \${database}.alerts WHERE $__timeFilter(ts) AND ${TENANT} AND ${SEVERITY} GROUP BY rule_id ORDER BY alerts DESC LIMIT 20`,
    },
    {
      type: 'table',
      title: 'Latest alerts',
      w: 12,
      h: 9,
      sql: `SELECT ts, severity, risk_score, rule_id, tenant_id, user_id, summary, incident_id FROM \${database}.alerts FINAL WHERE $__timeFilter(ts) AND ${TENANT} AND ${SEVERITY} ORDER BY ts DESC LIMIT 100`,
    },
  ],
};

const ONE_USER = "tenant_id = ${tenant:singlequote} AND user_id = ${user:singlequote}";
const user: DashboardDef = {
  file: 'user.json',
  uid: 'mcp-audit-user',
  title: 'mcp-audit / User drill-down',
  description: "One user's calls over time, against their usual volume, by class and by destination.",
  variables: [
    db,
    tenants(false),
    {
      kind: 'query',
      name: 'user',
      label: 'User',
      multi: false,
      sql: 'SELECT DISTINCT user_id FROM ${database}.events WHERE tenant_id = ${tenant:singlequote} AND $__timeFilter(ts) ORDER BY user_id',
    },
  ],
  panels: [
    {
      type: 'timeseries',
      title: 'Calls by result status',
      w: 12,
      sql: `SELECT ${bucket}, if(result_status = '', kind, result_status) AS outcome, count() AS calls FROM \${database}.events WHERE $__timeFilter(ts) AND ${ONE_USER} GROUP BY time, outcome ORDER BY time, outcome`,
    },
    {
      type: 'timeseries',
      title: 'Calls per hour against baseline',
      w: 12,
      description:
        "This user's calls as a rate per hour, against the median and p95 of their calls per active hour in the newest completed baseline run (baselines, scope user); 0 while there is no baseline yet.",
      sql: `SELECT ${bucket}, count() * 3600 / $__interval_s AS calls_per_hour, (SELECT any(calls_per_hour_median) FROM \${database}.baselines FINAL WHERE computed_at_ms = (SELECT max(computed_at_ms) FROM \${database}.baseline_runs) AND scope = 'user' AND ${ONE_USER}) AS baseline_median, (SELECT any(calls_per_hour_p95) FROM \${database}.baselines FINAL WHERE computed_at_ms = (SELECT max(computed_at_ms) FROM \${database}.baseline_runs) AND scope = 'user' AND ${ONE_USER}) AS baseline_p95 FROM \${database}.events WHERE $__timeFilter(ts) AND ${ONE_USER} GROUP BY time ORDER BY time`,
    },
    {
      type: 'barchart',
      title: 'Capability classes',
      w: 8,
      h: 9,
      sql: `SELECT if(tool_class = '', concat('(', kind, ')'), tool_class) AS class, count() AS calls FROM \${database}.events WHERE $__timeFilter(ts) AND ${ONE_USER} GROUP BY class ORDER BY calls DESC`,
    },
    {
      type: 'table',
      title: 'Destinations (hosts and recipients)',
      w: 16,
      h: 9,
      sql: `SELECT destination, count() AS calls, min(ts) AS first_seen, max(ts) AS last_seen, groupUniqArray(tool_name) AS tools FROM (SELECT ts, tool_name, arrayJoin(arrayConcat(arrayMap(h -> concat('host: ', h), resource_hosts), arrayMap(r -> concat('to: ', r), resource_recipients))) AS destination FROM \${database}.events WHERE $__timeFilter(ts) AND ${ONE_USER}) GROUP BY destination ORDER BY calls DESC LIMIT 100`,
    },
    {
      type: 'table',
      title: 'Timeline of calls',
      w: 24,
      h: 12,
      sql: `SELECT ts, kind, client_name, server_name, tool_name, tool_class, result_status, arrayStringConcat(arrayConcat(resource_paths, resource_hosts, resource_recipients, resource_tables), ', ') AS targets, duration_ms, mcp_session_id FROM \${database}.events WHERE $__timeFilter(ts) AND ${ONE_USER} ORDER BY ts DESC, event_id LIMIT 500`,
    },
    {
      type: 'table',
      title: 'Alerts for this user',
      w: 24,
      h: 8,
      sql: `SELECT ts, severity, risk_score, rule_id, summary, incident_id FROM \${database}.alerts FINAL WHERE $__timeFilter(ts) AND ${ONE_USER} ORDER BY ts DESC LIMIT 100`,
    },
  ],
};

// Phrases aimed at the model rather than the user (tool poisoning): the list of the detector's rule,
// read from its file, so the panel flags what the rule alerts on. ClickHouse's match() is re2, which
// reads them as the rule's RegExp does (the case-insensitive flag becomes `(?i)`); a phrase re2
// cannot read fails the panel's query in test/dashboards.test.ts. Grafana reads `$word` in a query
// as a variable, so an escaped dollar is written as the class `[$]`, which matches the same.
const POISONING_RULE = new URL('../detector/pack/drift.tool-poisoning.yaml', import.meta.url);
const POISONING_PHRASES = (parse(readFileSync(POISONING_RULE, 'utf8')) as { phrases: string[] }).phrases;
const POISON = quoteString(`(?i)(?:${POISONING_PHRASES.map((p) => p.replaceAll('\\$', '[$]')).join('|')})`);
const tools: DashboardDef = {
  file: 'tools.json',
  uid: 'mcp-audit-tools',
  title: 'mcp-audit / Tools and servers',
  description: 'Which servers and tools are in use, which changed their descriptions, and which descriptions look poisoned.',
  variables: [db, tenants(true)],
  panels: [
    {
      type: 'table',
      title: 'Tool description drift',
      w: 12,
      h: 9,
      description: 'Tools whose description hash changed in the time range (tools/list answers): a possible rug pull.',
      sql: `SELECT server_name, tool, uniqExact(description_sha256) AS descriptions, min(ts) AS first_listed, max(ts) AS last_listed, uniqExact(tenant_id, user_id) AS users FROM \${database}.events ARRAY JOIN listed_tool_names AS tool, listed_tool_description_sha256 AS description_sha256 WHERE $__timeFilter(ts) AND kind = 'tool_list' AND ${TENANT} GROUP BY server_name, tool HAVING descriptions > 1 ORDER BY descriptions DESC, last_listed DESC LIMIT 100`,
    },
    {
      type: 'table',
      title: 'Poisoning flags',
      w: 12,
      h: 9,
      description: 'Tool descriptions containing instructions aimed at the model.',
      sql: `SELECT server_name, tool, description, count() AS listings, max(ts) AS last_listed FROM \${database}.events ARRAY JOIN listed_tool_names AS tool, listed_tool_descriptions AS description WHERE $__timeFilter(ts) AND kind = 'tool_list' AND ${TENANT} AND match(description, ${POISON}) GROUP BY server_name, tool, description ORDER BY last_listed DESC LIMIT 100`,
    },
    {
      type: 'table',
      title: 'New tools (first called in the time range)',
      w: 12,
      h: 9,
      sql: `SELECT server_name, tool_name, min(ts) AS first_called, count() AS calls, uniqExact(tenant_id, user_id) AS users FROM \${database}.events WHERE kind = 'tool_call' AND tool_name != '' AND ts <= $__toTime AND ${TENANT} GROUP BY server_name, tool_name HAVING first_called >= $__fromTime ORDER BY first_called DESC LIMIT 100`,
    },
    {
      type: 'table',
      title: 'Servers',
      w: 12,
      h: 9,
      sql: `SELECT server_name, groupUniqArray(server_version) AS versions, groupUniqArray(server_transport) AS transports, uniqExact(server_fingerprint) AS fingerprints, uniqExact(tenant_id, user_id) AS users, count() AS events, max(ts) AS last_seen FROM \${database}.events WHERE $__timeFilter(ts) AND ${TENANT} GROUP BY server_name ORDER BY events DESC`,
    },
    {
      type: 'timeseries',
      title: 'Drift and poisoning alerts',
      w: 12,
      sql: `SELECT ${bucket}, rule_id, uniqExact(alert_id) AS alerts FROM \${database}.alerts WHERE $__timeFilter(ts) AND rule_kind = 'drift' AND ${TENANT} GROUP BY time, rule_id ORDER BY time, rule_id`,
    },
    {
      type: 'timeseries',
      title: 'Tool calls per second by server',
      w: 12,
      sql: `SELECT ${bucket}, server_name, count() / $__interval_s AS calls_per_s FROM \${database}.events WHERE $__timeFilter(ts) AND kind = 'tool_call' AND ${TENANT} GROUP BY time, server_name ORDER BY time, server_name`,
    },
  ],
};

const NOT_DELIVERED = "outcome IN ('retried', 'dead_lettered', 'disabled')";
const pipeline: DashboardDef = {
  file: 'pipeline.json',
  uid: 'mcp-audit-pipeline',
  title: 'mcp-audit / Pipeline health',
  description: 'Ingest lag and throughput, dead letters by reason (ingest_stats), and notifier delivery failures (deliveries).',
  variables: [db],
  panels: [
    { type: 'stat', title: 'Current ingest lag (messages)', w: 6, h: 4, sql: 'SELECT argMax(lag, ts) AS lag FROM ${database}.ingest_stats WHERE $__timeFilter(ts)' },
    { type: 'stat', title: 'Dead-lettered events', w: 6, h: 4, sql: 'SELECT sum(dead_lettered) AS dead_lettered FROM ${database}.ingest_stats WHERE $__timeFilter(ts)' },
    { type: 'stat', title: 'Slowest insert of each 5 s, p95', w: 6, h: 4, unit: 'ms', sql: 'SELECT quantile(0.95)(insert_ms) AS insert_ms_p95 FROM ${database}.ingest_stats WHERE $__timeFilter(ts)' },
    { type: 'stat', title: 'Alerts not delivered', w: 6, h: 4, description: 'Final notifier outcomes other than delivered.', sql: "SELECT countIf(outcome IN ('dead_lettered', 'disabled')) AS failed FROM ${database}.deliveries WHERE $__timeFilter(ts)" },
    {
      type: 'timeseries',
      title: 'Ingest lag by topic',
      w: 12,
      description: 'Largest consumer lag (messages) any ingest instance reported in the interval.',
      sql: `SELECT ${bucket}, topic, max(lag) AS lag FROM \${database}.ingest_stats WHERE $__timeFilter(ts) GROUP BY time, topic ORDER BY time, topic`,
    },
    {
      type: 'timeseries',
      title: 'Consumed and inserted per second',
      w: 12,
      sql: `SELECT ${bucket}, sum(consumed) / $__interval_s AS consumed_per_s, sum(inserted) / $__interval_s AS inserted_per_s FROM \${database}.ingest_stats WHERE $__timeFilter(ts) GROUP BY time ORDER BY time`,
    },
    {
      type: 'timeseries',
      title: 'Dead letters by reason',
      w: 12,
      sql: `SELECT ${bucket}, reason, sum(n) AS dead_letters FROM \${database}.ingest_stats ARRAY JOIN dead_letter_reasons AS reason, dead_letter_counts AS n WHERE $__timeFilter(ts) GROUP BY time, reason ORDER BY time, reason`,
    },
    {
      type: 'timeseries',
      title: 'Notifier failures by outcome',
      w: 12,
      description: "Retried attempts and final failures of alert deliveries to SIEMs (the notifier's deliveries log; the alerts DLQ holds the alerts themselves).",
      sql: `SELECT ${bucket}, outcome, count() AS deliveries FROM \${database}.deliveries WHERE $__timeFilter(ts) AND ${NOT_DELIVERED} GROUP BY time, outcome ORDER BY time, outcome`,
    },
    {
      type: 'table',
      title: 'Notifier failures by destination',
      w: 24,
      h: 8,
      sql: `SELECT destination, destination_type, countIf(outcome = 'retried') AS retried, countIf(outcome = 'dead_lettered') AS dead_lettered, countIf(outcome = 'disabled') AS disabled, max(ts) AS last_failure, argMax(reason, ts_ms) AS last_reason, argMax(http_status, ts_ms) AS last_http_status FROM \${database}.deliveries WHERE $__timeFilter(ts) AND ${NOT_DELIVERED} GROUP BY destination, destination_type ORDER BY last_failure DESC`,
    },
  ],
};

export const DASHBOARDS: readonly DashboardDef[] = [overview, detections, user, tools, pipeline];

function variableJson(v: Variable): Record<string, unknown> {
  if (v.kind === 'constant') {
    // Hidden: set it once when the database is not `mcp_audit` (tests substitute their own).
    return { type: 'constant', name: v.name, hide: 2, query: v.value, current: { text: v.value, value: v.value }, skipUrlSync: false };
  }
  const all = v.multi ? { includeAll: true, current: { text: 'All', value: '$__all' } } : { includeAll: false };
  if (v.kind === 'custom') {
    return {
      type: 'custom',
      name: v.name,
      label: v.label,
      multi: v.multi,
      ...all,
      query: v.values.join(','),
      options: v.values.map((x) => ({ text: x, value: x, selected: false })),
    };
  }
  return {
    type: 'query',
    name: v.name,
    label: v.label,
    multi: v.multi,
    ...all,
    datasource: DATASOURCE,
    // Refresh on time-range change: the lists come from the events in range.
    refresh: 2,
    sort: 1,
    definition: v.sql,
    query: { rawSql: v.sql, editorType: 'sql', queryType: 'table', format: 1 },
  };
}

function panelJson(p: PanelDef, id: number, gridPos: { x: number; y: number; w: number; h: number }): Record<string, unknown> {
  const timeSeries = p.type === 'timeseries';
  return {
    id,
    type: p.type,
    title: p.title,
    ...(p.description ? { description: p.description } : {}),
    datasource: DATASOURCE,
    gridPos,
    fieldConfig: { defaults: { ...(p.unit ? { unit: p.unit } : {}) }, overrides: [] },
    options: p.type === 'stat' ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value' } : {},
    targets: [
      {
        refId: 'A',
        datasource: DATASOURCE,
        editorType: 'sql',
        // The plugin turns long rows (time, label, value) into one series per label for time series.
        queryType: timeSeries ? 'timeSeries' : 'table',
        format: timeSeries ? 0 : 1,
        rawSql: p.sql,
      },
    ],
  };
}

export function dashboardJson(d: DashboardDef): Record<string, unknown> {
  let x = 0;
  let y = 0;
  let rowH = 0;
  const panels = d.panels.map((p, i) => {
    const w = p.w ?? 12;
    const h = p.h ?? 8;
    if (x + w > 24) {
      x = 0;
      y += rowH;
      rowH = 0;
    }
    const pos = { x, y, w, h };
    x += w;
    rowH = Math.max(rowH, h);
    return panelJson(p, i + 1, pos);
  });
  return {
    uid: d.uid,
    title: d.title,
    description: d.description,
    tags: ['mcp-audit'],
    schemaVersion: SCHEMA_VERSION,
    version: 1,
    editable: true,
    graphTooltip: 1,
    time: { from: 'now-6h', to: 'now' },
    refresh: '30s',
    timezone: 'utc',
    templating: { list: d.variables.map(variableJson) },
    annotations: { list: [] },
    links: [{ type: 'dashboards', tags: ['mcp-audit'], asDropdown: true, title: 'mcp-audit', includeVars: false, keepTime: true }],
    panels,
  };
}

/** File name -> JSON text, exactly as written to this folder. */
export function renderDashboards(): Map<string, string> {
  return new Map(DASHBOARDS.map((d) => [d.file, JSON.stringify(dashboardJson(d), null, 2) + '\n']));
}

if (import.meta.main) {
  for (const [file, text] of renderDashboards()) await writeFile(join(DIR, file), text);
  process.stdout.write(`wrote ${DASHBOARDS.length} dashboards to ${DIR}\n`);
}
