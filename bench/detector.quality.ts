// `npm run eval:detector`: precision and recall of the shipped rule pack on simulated traffic with
// injected attack chains, scored against the simulator's ground-truth manifest.
//
//   1. 35 simulated days for --users users; chains (every type, --per-type each) only in the last
//      7 days, so the 28 days before are clean history;
//   2. the history goes into a ClickHouse database of its own (real server, dropped at the end) and
//      the baselines are computed there as the scheduler would at the start of the evaluated week;
//   3. the evaluated week runs through classification and the whole pack in process, with those
//      baselines loaded (the rules see exactly what the detector service would);
//   4. per rule: alerts, true/false positives, precision; recall over the chain types it targets
//      (simulate/quality/score.ts). The last line is one JSON object.
//
//   5. then the external sets (bench/detector.external.ts): public benchmark traces and benign
//      populations through capture, scored per trace and attack class.
//
//   node bench/detector.quality.ts [--users 300] [--per-type 10] [--seed 7] [--show <rule id>]
//                                  [--only simulated|external] [--set <name part>]
import { parseArgs } from 'node:util';
import { createClickHouse } from '../core/clickhouse.ts';
import { loadConfig } from '../core/config.ts';
import { createLogger } from '../core/logger.ts';
import { ident, sql } from '../core/sql.ts';
import { computeBaselines } from '../detector/baselines/baselines.compute.ts';
import { loadBaselineSnapshot } from '../detector/baselines/baselines.load.ts';
import { loadCatalogue } from '../classify/catalogue.ts';
import { classify } from '../classify/classify.ts';
import { scoreAlerts, type ScoredAlert } from '../simulate/quality/score.ts';
import { createEngine, type RuleMatch } from '../detector/rules/engine.ts';
import { loadRulesOrThrow } from '../detector/rules/rules.load.ts';
import { toEventRow } from '../ingest/event.row.ts';
import { migrate } from '../migrations/migrate.ts';
import { chainTypes } from '../simulate/chains.ts';
import { generateTraffic } from '../simulate/simulate.ts';
import { stackUp } from '../stack/stack.ts';
import { runExternalEval } from './detector.external.ts';

const { values: opts } = parseArgs({
  options: {
    users: { type: 'string', default: '300' },
    'per-type': { type: 'string', default: '10' },
    seed: { type: 'string', default: '7' },
    // Prints every alert of this rule with its evidence, to see why it fired; on the external sets
    // also `false` (every false alert) or `missed` (every missed attack trace).
    show: { type: 'string' },
    only: { type: 'string' },
    set: { type: 'string' },
  },
});
const USERS = Number(opts.users);
const PER_TYPE = Number(opts['per-type']);
const SEED = Number(opts.seed);
const DAY = 86_400_000;
// A Monday 00:00 UTC: the evaluated week is Mon..Sun, the history the four weeks before.
const END = Date.UTC(2025, 6, 7);
const WEEK_START = END - 7 * DAY;

const say = (msg: string) => process.stderr.write(`${msg}\n`);
const log = createLogger('warn', 'eval-detector');
const config = loadConfig({ ...process.env, MCP_AUDIT_LOG_LEVEL: 'warn' });
await stackUp(config, log);

if (opts.only === 'external') {
  await runExternalEval(config, log, say, opts.set, opts.show);
  process.exit(0);
}

say(`generating 35 days for ${USERS} users, ${PER_TYPE} chains of each of ${chainTypes.length} types in the last 7 days ...`);
const run = generateTraffic({ users: USERS, days: 35, seed: SEED, endMs: END, injectDays: 7, inject: chainTypes.map((type) => ({ type, count: PER_TYPE })) });
const history = run.events.filter((e) => Date.parse(e.ts) < WEEK_START);
const week = run.events.filter((e) => Date.parse(e.ts) >= WEEK_START);
say(`  ${history.length} history events, ${week.length} events in the evaluated week, ${run.manifest.chains.length} chains`);

const catalogue = loadCatalogue(config.rules.catalogueFiles);
const database = `eval_detector_${process.pid}`;
const ch = createClickHouse({ ...config.clickhouse, database: null });
try {
  await migrate(ch, database, log);
  const rows = history.map((e, i) => toEventRow(e, { topic: 'eval', partition: 0, offset: String(i) }, 0, classify(e, catalogue)));
  for (let i = 0; i < rows.length; i += 50_000) {
    await ch.insert({ table: `${database}.events`, values: rows.slice(i, i + 50_000), format: 'JSONEachRow' });
    say(`  history ${Math.min(i + 50_000, rows.length)}/${rows.length} stored`);
  }
  const summary = await computeBaselines(ch, database, { lookbackDays: 28, now: WEEK_START, log });
  say(`  baselines: ${summary.userKeys} users, ${summary.toolKeys} tools, ${summary.userToolKeys} user x tool`);
  const baselines = await loadBaselineSnapshot(ch, database);

  const rules = loadRulesOrThrow(config.rules.dirs).map((r) => r.rule);
  const engine = createEngine({ rules, catalogue, allowedLatenessMs: config.detector.latenessMs });
  engine.setBaselines(baselines);
  const alerts: ScoredAlert[] = [];
  const keep = (ms: RuleMatch[]) => {
    for (const m of ms) {
      const last = m.evidence[m.evidence.length - 1]!;
      if (m.rule.id === opts.show) {
        say(`${m.rule.id} ${last.tenant_id}:${last.actor.user_id}: ${m.summary}`);
        for (const e of m.evidence) say(`    ${e.ts} ${e.event_id} ${e.server.name}/${e.tool?.name ?? e.kind} ${e.arguments?.preview.slice(0, 80) ?? ''}`);
      }
      alerts.push({ ruleId: m.rule.id, userKey: `${last.tenant_id}:${last.actor.user_id}`, evidenceIds: m.evidence.map((e) => e.event_id) });
    }
  };
  for (const e of week) keep(engine.process(e));
  keep(engine.advanceWatermark(Number.MAX_SAFE_INTEGER));

  const report = scoreAlerts(run.manifest.chains, alerts, rules.map((r) => r.id));
  const pct = (x: number | null) => (x === null ? '   n/a' : `${(x * 100).toFixed(1).padStart(5)}%`);
  console.log(`rule                                alerts    TP    FP  precision  recall (caught/target chains)`);
  for (const r of report.rules) {
    console.log(
      `${r.rule.padEnd(34)} ${String(r.alerts).padStart(7)} ${String(r.truePositives).padStart(5)} ${String(r.falsePositives).padStart(5)}     ${pct(r.precision)}  ${pct(r.recall)}${r.targetChains ? ` (${r.caught}/${r.targetChains})` : ''}`,
    );
  }
  console.log(`chains detected by at least one rule: ${report.chainsDetected}/${report.chains}; alerts on users without any chain: ${report.benignUserAlerts}`);
  console.log(JSON.stringify({ bench: 'detector.quality', users: USERS, week_events: week.length, chains: report.chains, chains_detected: report.chainsDetected, benign_user_alerts: report.benignUserAlerts, rules: report.rules }));
} finally {
  await ch.command({ query: sql`DROP DATABASE IF EXISTS ${ident(database)}`.text });
  await ch.close();
}

if (opts.only !== 'simulated') {
  await runExternalEval(config, log, say, opts.set, opts.show);
}
