// `mcp-audit rules list | test | backtest`: for detection engineers. `test` runs every rule's own
// tests (exit 1 on any failure); `backtest` runs one rule over ClickHouse history and prints what it
// would have raised.
import type { Command } from 'commander';
import { loadCatalogue } from '../classify/catalogue.ts';
import { runRuleTests } from '../detector/rules/rule.tests.ts';
import { backtestAlert, backtestRule } from '../detector/rules/rules.backtest.ts';
import { loadRules, type LoadedRule } from '../detector/rules/rules.load.ts';
import { qualified, raw, sql } from '../core/sql.ts';
import { loadConfig } from '../core/config.ts';
import { clickhouseFor } from '../core/context.ts';

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
    .option('--json', 'one JSON object per line')
    .action((opts: { rules?: string; json?: boolean }) => {
      for (const { rule, file } of rulesFrom(opts.rules)) {
        if (opts.json) {
          const { id, version, title, kind, severity, enabled } = rule;
          out(JSON.stringify({ id, version, title, kind, severity, enabled, tests: rule.tests.length, file }));
          continue;
        }
        out(`${rule.id.padEnd(36)} v${rule.version}  ${rule.kind.padEnd(10)} ${rule.severity.padEnd(8)} ${String(rule.tests.length).padStart(2)} tests${rule.enabled ? '' : '  (disabled)'}  ${rule.title}`);
      }
    });

  rules
    .command('test')
    .description("Run every rule's tests (fixtures beside the rule); exit 1 when one fails.")
    .option('--rules <dirs>', 'comma-separated rule folders or files (default: MCP_AUDIT_RULES_DIRS)')
    .option('--json', 'print {passed, failed, results} as one JSON object')
    .action((opts: { rules?: string; json?: boolean }) => {
      const config = loadConfig();
      const catalogue = loadCatalogue(config.rules.catalogueFiles);
      let passed = 0;
      let failed = 0;
      const results: object[] = [];
      for (const loaded of rulesFrom(opts.rules)) {
        if (loaded.rule.tests.length === 0) err(`warn ${loaded.rule.id}: no tests`);
        for (const r of runRuleTests(loaded, catalogue, config.detector.latenessMs)) {
          if (r.ok) passed++;
          else failed++;
          if (opts.json) {
            const { ruleId: rule_id, name, ok, expected, actual, error } = r;
            results.push({ rule_id, name, ok, expected, actual, ...(error ? { error } : {}), raised: r.ok ? [] : r.matches.map((m) => m.summary) });
            continue;
          }
          const detail = r.error ? `error: ${r.error}` : `expected ${r.expected} alert(s), got ${r.actual}`;
          out(`${r.ok ? 'ok  ' : 'FAIL'} ${r.ruleId} › ${r.name} (${detail})`);
          if (!r.ok) for (const m of r.matches) out(`       raised: ${m.summary}`);
        }
      }
      out(opts.json ? JSON.stringify({ passed, failed, results }) : `${passed} passed, ${failed} failed`);
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
      const ch = clickhouseFor(config);
      const started = Date.now();
      const progress = (p: { read: number; raised: number; lastMs: number }, done: boolean) => {
        const secs = Math.max(0.001, (Date.now() - started) / 1000);
        const pct = done ? 100 : Math.min(100, ((p.lastMs - fromMs) / (toMs - fromMs)) * 100);
        const line = `backtest ${ruleId}: ${p.read.toLocaleString('en')} events, ${Math.round(p.read / secs).toLocaleString('en')} ev/s, ${pct.toFixed(1)}% of the range, ${p.raised} match(es)`;
        if (process.stderr.isTTY) process.stderr.write(`\r${line}\x1b[K${done ? '\n' : ''}`);
        else err(line);
      };
      try {
        const table = qualified(config.clickhouse.database, 'events');
        // Baselines are not loaded here: `baseline` and `first_seen` rules stay silent (cold start).
        const result = await backtestRule({
          ch,
          source: sql`${table} FINAL WHERE ${opts.tenant ? sql`tenant_id = ${opts.tenant}` : raw('1 = 1')}`,
          rule: loaded.rule,
          catalogue: loadCatalogue(config.rules.catalogueFiles),
          allowedLatenessMs: config.detector.latenessMs,
          fromMs,
          toMs,
          pageRows: page,
          onMatch: (m) => {
            if (opts.json) {
              out(JSON.stringify(backtestAlert(m)));
            } else {
              const last = m.evidence[m.evidence.length - 1]!;
              out(`${last.ts} ${m.severity.padEnd(8)} ${m.rule.id} ${last.tenant_id}/${last.actor.user_id}: ${m.summary}`);
            }
          },
          onPage: (p) => progress(p, false),
        });
        progress({ ...result, lastMs: toMs }, true);
        const s = result.stats;
        err(`backtest ${ruleId}: ${result.raised} match(es) over ${result.read} events (${s.duplicates} duplicates, ${s.late} late) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      } finally {
        await ch.close();
      }
    });
}
