// `mcp-audit run --demo` as a person runs it: a real child process on the shared stack (its own
// database, topics, groups and ports), which must print an alert of a shipped rule as the demo
// receiver gets it, serve that incident through the curl command it printed, stop cleanly on
// SIGINT, revoke its demo key, and (with --keep-stack) leave Kafka and ClickHouse running.
import { afterEach, describe, expect, it } from 'vitest';
import { createKafka } from '../core/kafka.ts';
import { RISK_RULE } from '../detector/rules/risk.ts';
import { loadRulesOrThrow } from '../detector/rules/rules.load.ts';
import { spawnCli, type Child } from './support/child.ts';
import { freePort } from '../stack/free.port.ts';
import { createTestEnv, eventually, queryRows, testLog, type TestEnv } from './support/test.env.ts';

const WAIT_MS = 180_000;
const CURL = /curl -H "Authorization: Bearer (mcpa_[0-9a-f_]+)" (http:\/\/\S+\/v1\/incidents)/;
/** `HH:MM:SS +NNs  ALERT SEVERITY title [rule.id]  tenant/user  summary` */
const ALERT_LINE = /^\d\d:\d\d:\d\d +\+\d+s {2}ALERT (\w+) +(.+) \[([\w.-]+)\] {2}(\S+)\/(\S+) {2}(.+)$/m;

/** What ClickHouse holds, what ingest says about itself, and its warnings: for a failure message. */
async function whyNotServed(t: TestEnv, stdout: string): Promise<string> {
  const db = t.config.clickhouse.database;
  const stored = await queryRows(t.clickhouse, `SELECT (SELECT count() FROM ${db}.alerts) AS alerts, (SELECT count() FROM ${db}.incidents) AS incidents, (SELECT count() FROM ${db}.events) AS events`);
  const metrics = /metrics +ingest (http:\/\/\S+)\/metrics/.exec(stdout)?.[1];
  const ingest = metrics
    ? `${await (await fetch(`${metrics}/healthz`)).text()}\n${(await (await fetch(`${metrics}/metrics`)).text()).split('\n').filter((l) => l.startsWith('mcp_audit_ingest_') && !l.includes('_bucket')).join('\n')}`
    : 'no ingest metrics URL in the banner';
  const logs = stdout.split('\n').filter((l) => l.includes('"service":"ingest"') || /"level":[4-6]0/.test(l)).slice(-40).join('\n');
  return `stored ${JSON.stringify(stored)}\ningest: ${ingest}\nlogs:\n${logs}`;
}

let child: Child | null = null;
afterEach(async () => {
  if (child && child.proc.exitCode === null && child.proc.signalCode === null) {
    child.proc.kill('SIGKILL');
    await child.exited;
  }
  child = null;
});

describe('mcp-audit run --demo', () => {
  it('prints an alert of a shipped rule and an injected-value chain, serves it through the printed curl, and stops cleanly on SIGINT', async () => {
    const t = await createTestEnv('run_demo', {
      // The test checks that every service logged its stop.
      MCP_AUDIT_LOG_LEVEL: 'info',
      MCP_AUDIT_API_PORT: String(await freePort()),
    });
    const rules = new Map(loadRulesOrThrow(t.config.rules.dirs).map((r) => [r.rule.id, r.rule.title]));
    // A story of signals that added up alerts under the risk rule, which has no file of its own.
    rules.set(RISK_RULE.id, RISK_RULE.title);
    child = spawnCli(['run', '--demo', '--keep-stack'], t.env);
    // All of stdout (spawnCli keeps only the tail of both streams): the banner comes before many log lines.
    let stdout = '';
    child.proc.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
    const exitedEarly = child.exited.then((code) => {
      throw new Error(`run --demo exited with ${code} before the test ended:\n${child?.output()}`);
    });
    exitedEarly.catch(() => {});

    const banner = await Promise.race([eventually(async () => CURL.test(stdout), WAIT_MS), exitedEarly]);
    expect(banner, `no curl line in:\n${stdout.slice(-5_000)}`).toBe(true);
    const [, key, url] = CURL.exec(stdout)!;
    expect(stdout).toContain(`database ${t.config.clickhouse.database}`);

    const alerted = await Promise.race([eventually(async () => ALERT_LINE.test(stdout), WAIT_MS), exitedEarly]);
    expect(alerted, `no alert line in:\n${stdout.slice(-5_000)}`).toBe(true);
    const [, severity, title, ruleId, tenant, user] = ALERT_LINE.exec(stdout)!;
    expect(rules.has(ruleId!), `rule ${ruleId} is not in the pack`).toBe(true);
    expect(title).toBe(rules.get(ruleId!));
    expect(['info', 'low', 'medium', 'high', 'critical']).toContain(severity!.toLowerCase());
    expect(tenant).toBe('acme');
    expect(user).toMatch(/@acme\.example$/);

    // The prompt-injection story: an agent acts on a value it read in injected text, and the alert
    // names the call that value came from.
    const injected = /ALERT \w+ +.* \[inject\.[\w.-]+\] .*came from the result of /;
    const told = await Promise.race([eventually(async () => injected.test(stdout), WAIT_MS), exitedEarly]);
    expect(told, `no injected-value alert in:\n${stdout.slice(-5_000)}`).toBe(true);

    // The alert reaches the receiver and ClickHouse on separate paths: wait for the incident to be stored.
    let last = { status: 0, items: 0 };
    const served = await eventually(async () => {
      const res = await fetch(url!, { headers: { authorization: `Bearer ${key}` } });
      const body = (await res.json()) as { items?: unknown[] };
      last = { status: res.status, items: body.items?.length ?? 0 };
      return res.status === 200 && last.items >= 1;
    }, WAIT_MS, 1_000);
    if (!served) expect.fail(`GET ${url}: ${JSON.stringify(last)}\n${await whyNotServed(t, stdout)}`);

    child.proc.kill('SIGINT');
    const code = await child.exited;
    expect(code, child.output()).toBe(0);
    const stops = ['demo traffic stopped', 'api stopped', 'detector stopped', 'notifier stopped', 'baseline scheduler stopped', 'ingest stopped', 'stopped cleanly'];
    for (const msg of stops) expect(stdout, `no "${msg}" log`).toContain(`"msg":"${msg}"`);
    // Reverse start order: nothing produces alerts once the api and detector are gone, ingest stops last.
    const at = (msg: string) => stdout.indexOf(`"msg":"${msg}"`);
    expect(at('api stopped')).toBeLessThan(at('detector stopped'));
    expect(at('detector stopped')).toBeLessThan(at('notifier stopped'));
    expect(at('notifier stopped')).toBeLessThan(at('ingest stopped'));

    // The demo key lived exactly as long as the demo.
    const keys = await queryRows<{ revoked: number }>(t.clickhouse, `SELECT revoked FROM ${t.config.clickhouse.database}.api_keys FINAL`);
    expect(keys.map((k) => Number(k.revoked))).toEqual([1]);

    // --keep-stack: the shared Kafka and ClickHouse still answer.
    expect(await queryRows(t.clickhouse, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    const admin = createKafka(t.config.kafka, testLog).admin();
    await admin.connect();
    try {
      expect(await admin.listTopics()).toContain(t.config.topics.events);
    } finally {
      await admin.disconnect();
    }
    await t.clickhouse.close();
  }, 600_000);
});
