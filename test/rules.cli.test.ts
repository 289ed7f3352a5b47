// `mcp-audit rules test` and `rules backtest` as real child processes; the backtest reads a real
// ClickHouse `events` table (this test's own database).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../detector/rules/rules.load.ts';
import { readEventsFile } from '../detector/rules/rule.tests.ts';
import { toEventRow } from '../ingest/event.row.ts';
import { alertV1 } from '../schemas/alert.v1.ts';
import { makeEvents } from './support/events.factory.ts';
import { spawnCli } from './support/child.ts';
import { createTestEnv, type TestEnv } from './support/test.env.ts';

let t: TestEnv;
beforeAll(async () => {
  t = await createTestEnv('rules_cli');
});
afterAll(async () => {
  await t?.clickhouse.close();
});

describe('mcp-audit rules', () => {
  it('test: runs every pack rule test and exits 0', async () => {
    const child = spawnCli(['rules', 'test'], t.env);
    expect(await child.exited).toBe(0);
    expect(child.output()).toMatch(/\b\d+ passed, 0 failed/);
  });

  it('list --json: one JSON object per rule', async () => {
    const child = spawnCli(['rules', 'list', '--json'], t.env);
    expect(await child.exited).toBe(0);
    const rules = child.output().trim().split('\n').map((l) => JSON.parse(l) as { id: string; kind: string; tests: number; file: string });
    expect(rules.length).toBeGreaterThan(10);
    expect(rules.find((r) => r.id === 'exfil.mail-secret-send')).toMatchObject({ kind: 'sequence', enabled: true, file: join(DEFAULT_RULES_DIR, 'exfil.mail-secret-send.yaml') });
  });

  it('test --json: the counts and every result in one JSON object', async () => {
    const child = spawnCli(['rules', 'test', '--json'], t.env);
    expect(await child.exited).toBe(0);
    const report = JSON.parse(child.output()) as { passed: number; failed: number; results: { rule_id: string; ok: boolean }[] };
    expect(report.failed).toBe(0);
    expect(report.results).toHaveLength(report.passed);
    expect(report.results.every((r) => r.ok)).toBe(true);
  });

  it('test: a bad rule file fails with file and line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-'));
    writeFileSync(join(dir, 'bad.yaml'), 'id: bad.rule\nversion: 1\ntitle: x\nseverity: urgent\nrisk_score: 5\nkind: pattern\nmatch: { tool.class: secret.read }\n');
    const child = spawnCli(['rules', 'test', '--rules', dir], t.env);
    expect(await child.exited).toBe(1);
    expect(child.output()).toMatch(/bad\.yaml:4:11: .*(at severity)/);
  });

  it('backtest: pages through ClickHouse and prints what the rule would have raised', async () => {
    const chain = readEventsFile(join(DEFAULT_RULES_DIR, 'fixtures/exfil.mail-secret-send.chain.ndjson'));
    const start = Date.parse(chain[0]!.ts);
    // Noise from another tenant (random traffic there may hold chains of its own: .env reads, mail).
    const noise = makeEvents(200, { seed: 9, startMs: start - 60_000, stepMs: 1_000, overrides: { tenant_id: 'globex' } });
    await t.clickhouse.insert({
      table: `${t.config.clickhouse.database}.events`,
      values: [...chain, ...noise].map((e, i) => toEventRow(e as Parameters<typeof toEventRow>[0], { topic: 't', partition: 0, offset: String(i) }, Math.floor(start / 1000))),
      format: 'JSONEachRow',
    });
    const child = spawnCli(
      ['rules', 'backtest', 'exfil.mail-secret-send', '--from', new Date(start - 3_600_000).toISOString(), '--to', new Date(start + 3_600_000).toISOString(), '--page', '50', '--json'],
      t.env,
    );
    expect(await child.exited).toBe(0);
    const lines = child.output().split('\n');
    const alerts = lines.filter((l) => l.startsWith('{')).map((l) => alertV1.parse(JSON.parse(l)));
    const injected = alerts.filter((a) => a.tenant_id === 'acme');
    expect(injected).toHaveLength(1);
    expect(injected[0]!.rule.id).toBe('exfil.mail-secret-send');
    expect(injected[0]!.evidence.map((e) => e.event_id)).toEqual([chain[0]!.event_id, chain[2]!.event_id, chain[5]!.event_id]);
    expect(injected[0]!.evidence.map((e) => e.tool_class)).toEqual(['email.read', 'secret.read', 'chat.send']);
    expect(lines.some((l) => /backtest exfil\.mail-secret-send: \d+ events, [\d,]+ ev\/s, [\d.]+% of the range/.test(l))).toBe(true);
    expect(child.output()).toContain(`${alerts.length} match(es) over 207 events`);
  });
});
