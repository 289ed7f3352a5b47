// The external part of `npm run eval:detector`: labelled traces the rules were not written from,
// passed through capture exactly as recorded MCP traffic would be (`mcp-audit capture import`),
// then through classification and the whole pack with baselines learned from their own history.
//
// For each data set (recorded exchanges: a history, one evaluated day, trace labels):
//   1. history and day exchanges become audit events through capture's builder;
//   2. the history goes into a ClickHouse database of its own (real server, dropped at the end)
//      and the baselines are computed there as the scheduler would at the start of the day;
//   3. the day runs through the engine in event-time order;
//   4. alerts are scored per trace (simulate/quality/trace.score.ts).
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { buildOptionsFrom } from '../../capture/capture.ts';
import { importExchanges } from '../../capture/exchange.import.ts';
import type { ClickHouseClient } from '../../core/clickhouse.ts';
import type { Config } from '../../core/config.ts';
import type { Logger } from '../../core/logger.ts';
import { ident, sql } from '../../core/sql.ts';
import { computeBaselines } from '../../detector/baselines/baselines.compute.ts';
import { loadBaselineSnapshot } from '../../detector/baselines/baselines.load.ts';
import type { Catalogue } from '../../classify/catalogue.ts';
import { scoreTraces, type ScoredEvent, type TraceAlert, type TraceLabel, type TraceScore } from '../../simulate/quality/trace.score.ts';
import { createEngine } from '../../detector/rules/engine.ts';
import type { Rule } from '../../detector/rules/rule.schema.ts';
import { classifyWithHints, ToolHintsMemory } from '../../classify/tool.hints.ts';
import { toEventRow } from '../../ingest/event.row.ts';
import { migrate } from '../../migrations/migrate.ts';
import type { AuditEvent } from '../../schemas/event.ts';

/** Exchange lines: NDJSON files (gzip allowed) or lines made in memory. */
export type ExchangeSource = { file: string } | { lines: () => Iterable<string> };

export interface LabelledSet {
  name: string;
  /** The history before the evaluated day. */
  history: ExchangeSource[];
  /** The evaluated day. */
  day: ExchangeSource[];
  labels: TraceLabel[];
  /** Start of the evaluated day (epoch ms): the baselines are computed as of then. */
  dayStartMs: number;
  lookbackDays: number;
}

export interface SetResult {
  name: string;
  history_events: number;
  day_events: number;
  bad_lines: number;
  score: TraceScore;
}

export interface EvalDeps {
  config: Config;
  ch: ClickHouseClient;
  catalogue: Catalogue;
  rules: Rule[];
  log: Logger;
  say: (msg: string) => void;
  /** Prints each false alert (`false`), each missed attack (`missed`) or every alert of one rule, with its evidence. */
  show?: string;
}

async function* linesOf(file: string): AsyncIterable<string> {
  const raw = createReadStream(file);
  const input = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  yield* createInterface({ input, crlfDelay: Infinity });
}

/** The events of exchange files, in event-time order, each with the exchange (request) id it came from. */
async function importFiles(sources: ExchangeSource[], config: Config, log: Logger): Promise<{ events: AuditEvent[]; exchangeOf: Map<string, string>; bad: number }> {
  const events: AuditEvent[] = [];
  const exchangeOf = new Map<string, string>();
  let bad = 0;
  const build = buildOptionsFrom(config, log);
  for (const source of sources) {
    const summary = await importExchanges('file' in source ? linesOf(source.file) : source.lines(), build, (e) => {
      events.push(e as AuditEvent);
      if (e.mcp.request_id !== undefined) exchangeOf.set(e.event_id, String(e.mcp.request_id));
    });
    bad += summary.bad.length;
  }
  events.sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts));
  return { events, exchangeOf, bad };
}

/** Exchange ids are `<trace id>#<call>`: the trace is what precedes the '#'. */
const traceOf = (exchangeId: string) => exchangeId.slice(0, Math.max(0, exchangeId.indexOf('#')));

export async function evaluateSet(set: LabelledSet, deps: EvalDeps): Promise<SetResult> {
  const { config, ch, catalogue, rules, say } = deps;
  say(`[${set.name}] importing exchanges through capture ...`);
  const history = await importFiles(set.history, config, deps.log);
  const day = await importFiles(set.day, config, deps.log);
  say(`[${set.name}]   ${history.events.length} history events, ${day.events.length} events on the evaluated day, ${history.bad + day.bad} bad lines`);

  const database = `eval_external_${process.pid}_${set.name.replace(/[^a-z0-9]/gi, '_')}`;
  try {
    const hints = new ToolHintsMemory();
    const rows = history.events.map((e, i) => toEventRow(e, { topic: 'eval', partition: 0, offset: String(i) }, 0, classifyWithHints(hints, e, catalogue)));
    await migrate(ch, database, deps.log);
    // Inserts of 10,000 rows: on a loaded machine a larger one can outlast the client's 60 s request
    // timeout, which aborts it mid-body.
    for (let i = 0; i < rows.length; i += 10_000) await ch.insert({ table: `${database}.events`, values: rows.slice(i, i + 10_000), format: 'JSONEachRow' });
    await computeBaselines(ch, database, { lookbackDays: set.lookbackDays, now: set.dayStartMs, log: deps.log });
    const baselines = await loadBaselineSnapshot(ch, database);

    const engine = createEngine({ rules, catalogue, allowedLatenessMs: config.detector.latenessMs, risk: config.detector.risk });
    engine.setBaselines(baselines);
    const alerts: TraceAlert[] = [];
    const keep = (ms: ReturnType<typeof engine.process>) => {
      for (const m of ms) {
        if (!m.alert) continue;
        alerts.push({ rule: m.rule.id, severity: m.severity, ts: Date.parse(m.evidence[m.evidence.length - 1]!.ts), evidence: m.evidence.map((e) => e.event_id), summary: m.summary });
      }
    };
    for (const e of day.events) keep(engine.process(e));
    keep(engine.advanceWatermark(Number.MAX_SAFE_INTEGER));

    const scored: ScoredEvent[] = [];
    for (const e of day.events) {
      const exchange = day.exchangeOf.get(e.event_id);
      if (exchange !== undefined) scored.push({ event_id: e.event_id, exchange_id: exchange, trace_id: traceOf(exchange) });
    }
    const score = scoreTraces(set.labels, scored, alerts);
    if (deps.show) showAlerts(deps.show, set, day, alerts, score, say);
    return { name: set.name, history_events: history.events.length, day_events: day.events.length, bad_lines: history.bad + day.bad, score };
  } finally {
    await ch.command({ query: sql`DROP DATABASE IF EXISTS ${ident(database)}`.text });
  }
}

/** One line per evidence event: its trace, what the trace is (a routine or an attack), the tool and its class. */
function showAlerts(what: string, set: LabelledSet, day: { events: AuditEvent[]; exchangeOf: Map<string, string> }, alerts: TraceAlert[], score: TraceScore, say: (msg: string) => void): void {
  const byId = new Map(day.events.map((e) => [e.event_id, e]));
  const labelOf = new Map(set.labels.map((l) => [l.trace_id, l as TraceLabel & { routine?: string; scenario?: string; injection_task?: string; user_task?: string }]));
  const describe = (trace: string) => {
    const l = labelOf.get(trace);
    return l === undefined ? 'history' : l.attack ? `ATTACK ${l.scenario ?? l.injection_task ?? l.attack_class}` : `benign ${l.routine ?? l.user_task ?? ''}`;
  };
  const falseOnes = new Set(score.false_alert_positions);
  for (const [i, a] of alerts.entries()) {
    if (what === 'false' ? !falseOnes.has(i) : what === 'missed' || a.rule !== what) continue;
    say(`  ${falseOnes.has(i) ? 'FALSE' : 'true '} ${a.rule} (${a.severity}): ${a.summary ?? ''}`);
    for (const id of a.evidence) {
      const e = byId.get(id);
      const exchange = day.exchangeOf.get(id) ?? '';
      say(`      ${exchange.padEnd(28)} ${describe(traceOf(exchange)).padEnd(40)} ${e ? `${e.server?.name ?? ''}/${e.tool?.name ?? e.mcp.method}` : id}`);
    }
  }
  if (what === 'missed') for (const m of score.missed) say(`  missed ${m.trace_id} ${describe(m.trace_id)}`);
}

const pct = (x: number | null) => (x === null ? '   n/a' : `${(x * 100).toFixed(1).padStart(5)}%`);

/** A person-readable table of one set's score. */
export function printSet(r: SetResult, out: (line: string) => void): void {
  const s = r.score;
  out(`\n${r.name}: ${r.day_events} events on the evaluated day (${s.benign_events} benign), ${r.history_events} history events`);
  out(`  attack class                      traces  revealable  caught  recall  median s to alert`);
  for (const c of s.classes) {
    out(`  ${c.attack_class.padEnd(32)} ${String(c.traces).padStart(6)} ${String(c.revealable).padStart(11)} ${String(c.caught).padStart(7)}  ${pct(c.recall)}  ${c.median_seconds_to_alert === null ? 'n/a' : c.median_seconds_to_alert.toFixed(1)}`);
  }
  out(`  all attacks: ${s.caught}/${s.revealable_attack_traces} revealable caught (${pct(s.recall).trim()}); ${s.attack_traces - s.revealable_attack_traces} not revealable from tool calls`);
  out(`  benign traces with an alert: ${s.benign_traces_alerted}/${s.benign_traces} (${pct(s.per_trace_fp_rate).trim()}); false alerts ${s.false_alerts}, high-severity ${s.high_severity_false_alerts} = ${s.high_severity_fp_per_million_events?.toFixed(0) ?? 'n/a'} per 1M benign events`);
  if (Object.keys(s.false_alerts_by_rule).length) out(`  false alerts by rule: ${JSON.stringify(s.false_alerts_by_rule)}`);
  out(`  caught by rule: ${JSON.stringify(s.true_alerts_by_rule)}`);
}
