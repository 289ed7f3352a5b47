// `mcp-audit rules list | test | backtest`: for detection engineers. `test` runs every rule's own
// tests (exit 1 on any failure); `backtest` runs one rule over ClickHouse history and prints what it
// would have raised.
import type { Command } from 'commander';
import { incidentId } from '../schemas/alert.v1.ts';
import { loadCatalogue } from '../detector/catalogue/catalogue.ts';
import { eventFromRow } from '../detector/event.from-row.ts';
import { toAlert } from '../detector/rules/alert.ts';
import { createEngine, type RuleMatch } from '../detector/rules/engine.ts';
import { runRuleTests } from '../detector/rules/rule.tests.ts';
import { loadRules, type LoadedRule } from '../detector/rules/rules.load.ts';
import { qualified, sql } from '../core/sql.ts';
import { loadConfig } from '../core/config.ts';
import { clickhouseFor } from './context.ts';

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

function rulesFrom(dirsOption: string | undefined): LoadedRule[] {
  const dirs = dirsOption ? dirsOption.split(',').map((d) => d.trim()).filter(Boolean) : loadConfig().rules.dirs;
  const { rules, problems } = loadRules(dirs);
  if (problems.length > 0) {
    for (const p of problems) err(p);
    err(`mcp-audit: ${problems.length} problem(s) in the rule files`);
    process.exit(1);
  }
  return rules;
}

export function registerRules(program: Command): void {
  const rules = program.command('rules').description('Detection rules: list them, run their tests, backtest one over ClickHouse history.');

  rules
    .command('list')
    .description('List the rules with kind, severity and number of tests.')
    .option('--rules <dirs>', 'comma-separated rule folders or files (default: MCP_AUDIT_RULES_DIRS)')
    .action((opts: { rules?: string }) => {
      for (const { rule } of rulesFrom(opts.rules)) {
        out(`${rule.id.padEnd(36)} v${rule.version}  ${rule.kind.padEnd(10)} ${rule.severity.padEnd(8)} ${String(rule.tests.length).padStart(2)} tests${rule.enabled ? '' : '  (disabled)'}  ${rule.title}`);
      }
    });

  rules
    .command('test')
    .description("Run every rule's tests (fixtures beside the rule); exit 1 when one fails.")
    .option('--rules <dirs>', 'comma-separated rule folders or files (default: MCP_AUDIT_RULES_DIRS)')
    .action((opts: { rules?: string }) => {
      const config = loadConfig();
      const catalogue = loadCatalogue(config.rules.catalogueFiles);
      let passed = 0;
      let failed = 0;
      for (const loaded of rulesFrom(opts.rules)) {
        if (loaded.rule.tests.length === 0) err(`warn ${loaded.rule.id}: no tests`);
        for (const r of runRuleTests(loaded, catalogue, config.detector.latenessMs)) {
          if (r.ok) passed++;
          else failed++;
          const detail = r.error ? `error: ${r.error}` : `expected ${r.expected} alert(s), got ${r.actual}`;
          out(`${r.ok ? 'ok  ' : 'FAIL'} ${r.ruleId} › ${r.name} (${detail})`);
          if (!r.ok) for (const m of r.matches) out(`       raised: ${m.summary}`);
        }
      }
      out(`${passed} passed, ${failed} failed`);
      if (failed > 0) process.exitCode = 1;
    });

  rules
    .command('backtest <ruleId>')
    .description('Run one rule over the events stored in ClickHouse and print what it would have raised.')
    .requiredOption('--from <iso>', 'start of the time range (inclusive), e.g. 2025-06-01T00:00:00Z')
    .requiredOption('--to <iso>', 'end of the time range (exclusive)')
    .option('--rules <dirs>', 'comma-separated rule folders or files (default: MCP_AUDIT_RULES_DIRS)')
    .option('--tenant <id>', 'only this tenant')
    .option('--json', 'print each would-be alert as one JSON line (AlertV1)')
    .option('--page <rows>', 'rows read per query', '10000')
    .action(async (ruleId: string, opts: { from: string; to: string; rules?: string; tenant?: string; json?: boolean; page: string }) => {
      const config = loadConfig();
      const fromMs = Date.parse(opts.from);
      const toMs = Date.parse(opts.to);
      const page = Number(opts.page);
      if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs <= fromMs) {
        err('mcp-audit: --from and --to must be ISO times with --from before --to');
        process.exit(2);
      }
      if (!Number.isInteger(page) || page < 1 || page > 1_000_000) {
        err('mcp-audit: --page must be an integer between 1 and 1000000');
        process.exit(2);
      }
      const loaded = rulesFrom(opts.rules).find((r) => r.rule.id === ruleId);
      if (!loaded) {
        err(`mcp-audit: no rule with id ${ruleId}`);
        process.exit(2);
      }
      // Baselines are not loaded here: `baseline` and `first_seen` rules stay silent (cold start).
      const engine = createEngine({
        rules: [{ ...loaded.rule, enabled: true }],
        catalogue: loadCatalogue(config.rules.catalogueFiles),
        allowedLatenessMs: config.detector.latenessMs,
      });
      const ch = clickhouseFor(config);
      const started = Date.now();
      let read = 0;
      let raised = 0;
      const report = (matches: RuleMatch[]) => {
        for (const m of matches) {
          raised++;
          if (opts.json) {
            const last = m.evidence[m.evidence.length - 1]!;
            const alert = toAlert(m, { incidentId: '0'.repeat(64), detectedAt: new Date() });
            alert.incident_id = incidentId(alert.tenant_id, `user:${last.actor.user_id}`, alert.alert_id);
            out(JSON.stringify(alert));
          } else {
            const last = m.evidence[m.evidence.length - 1]!;
            out(`${last.ts} ${m.severity.padEnd(8)} ${m.rule.id} ${last.tenant_id}/${last.actor.user_id}: ${m.summary}`);
          }
        }
      };
      const progress = (lastMs: number, done: boolean) => {
        const secs = Math.max(0.001, (Date.now() - started) / 1000);
        const pct = done ? 100 : Math.min(100, ((lastMs - fromMs) / (toMs - fromMs)) * 100);
        const line = `backtest ${ruleId}: ${read.toLocaleString('en')} events, ${Math.round(read / secs).toLocaleString('en')} ev/s, ${pct.toFixed(1)}% of the range, ${raised} match(es)`;
        if (process.stderr.isTTY) process.stderr.write(`\r${line}\x1b[K${done ? '\n' : ''}`);
        else err(line);
      };
      try {
        const table = qualified(config.clickhouse.database, 'events');
        const tenant = opts.tenant ? sql`AND tenant_id = ${opts.tenant}` : sql``;
        let afterMs = fromMs - 1;
        let afterId = '';
        // Keyset pagination on (ts_ms, event_id): stable under concurrent inserts, no OFFSET scans.
        for (;;) {
          const rows = await (
            await ch.query({
              query: sql`SELECT * FROM ${table} FINAL
                WHERE ts >= toDateTime(${Math.floor(Math.max(afterMs, fromMs) / 1000)}) AND ts <= toDateTime(${Math.floor(toMs / 1000)})
                  AND ts_ms >= ${fromMs} AND ts_ms < ${toMs} ${tenant}
                  AND (ts_ms > ${afterMs} OR (ts_ms = ${afterMs} AND event_id > ${afterId}))
                ORDER BY ts_ms, event_id LIMIT ${page}`.text,
              format: 'JSONEachRow',
            })
          ).json<Record<string, unknown>>();
          for (const row of rows) report(engine.process(eventFromRow(row)));
          read += rows.length;
          const last = rows[rows.length - 1];
          if (last) {
            afterMs = Number(last.ts_ms);
            afterId = String(last.event_id);
          }
          if (rows.length < page) break;
          progress(afterMs, false);
        }
        report(engine.advanceWatermark(Number.MAX_SAFE_INTEGER));
        progress(toMs, true);
        const s = engine.stats();
        err(`backtest ${ruleId}: ${raised} match(es) over ${read} events (${s.duplicates} duplicates, ${s.late} late) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      } finally {
        await ch.close();
      }
    });
}
