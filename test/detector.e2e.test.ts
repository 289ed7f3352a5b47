// End to end on the real stack: simulated traffic for a few users with one injected chain of every
// type goes through Kafka, ingest and the detector (both real child processes, as deployed). Each
// chain raises exactly one alert of its rule, on the alerts topic and in ClickHouse; no user without
// a chain gets any alert (a cold start, no baselines yet); the stored events carry their class.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qualified, sql } from '../core/sql.ts';
import { PRIMARY_RULE } from '../simulate/quality/score.ts';
import type { AuditProducer } from '../producer/audit.producer.ts';
import { chainTypes } from '../simulate/chains.ts';
import { generateTraffic } from '../simulate/simulate.ts';
import { readAlertsTopic, type StoredAlert } from './support/alerts.topic.ts';
import { spawnCli, type Child } from './support/child.ts';
import { connectProducer, waitForDistinct } from './support/ingest.harness.ts';
import { createTestEnv, eventually, queryRows, type TestEnv } from './support/test.env.ts';

let t: TestEnv;
let producer: AuditProducer;
const children: Child[] = [];

beforeAll(async () => {
  t = await createTestEnv('dete2e');
  producer = await connectProducer(t);
});
afterAll(async () => {
  for (const c of children) c.proc.kill('SIGKILL');
  await producer?.disconnect();
  await t?.clickhouse.close();
});

// The last day up to the current hour: recent, so nothing is past retention or far in the future.
const run = generateTraffic({ users: 15, days: 1, seed: 11, endMs: Math.floor(Date.now() / 3_600_000) * 3_600_000, inject: chainTypes.map((type) => ({ type, count: 1 })) });
const victims = new Set(run.manifest.chains.map((c) => `${c.tenant_id}:${c.user_id}`));

describe('detector end to end', () => {
  it('raises one alert per injected chain and none for benign users', { timeout: 400_000 }, async () => {
    children.push(spawnCli(['ingest'], t.env), spawnCli(['detector'], t.env));
    await producer.sendMany(run.events);
    expect(await waitForDistinct(t, run.events.length, 180_000), children[0]!.output()).toBe(run.events.length);

    const table = qualified(t.config.clickhouse.database, 'alerts');
    const stored = async () =>
      queryRows<StoredAlert>(t.clickhouse, sql`SELECT alert_id, rule_id, tenant_id, user_id, evidence_event_ids FROM ${table} FINAL ORDER BY alert_id`.text);
    const primary = (alerts: readonly { rule_id: string }[]) => alerts.filter((a) => Object.values(PRIMARY_RULE).includes(a.rule_id));
    expect(await eventually(async () => primary(await stored()).length >= run.manifest.chains.length, 180_000), children[1]!.output()).toBe(true);
    // The stream is idle now; give a late or duplicate alert every chance to show up before counting.
    await new Promise((r) => setTimeout(r, 5_000));

    const inClickHouse = await stored();
    const onTopic = await readAlertsTopic(t);
    for (const chain of run.manifest.chains) {
      const rule = PRIMARY_RULE[chain.type];
      // An alert of the chain's rule that cites one of its events, as the quality score counts a
      // catch: the user's own traffic is simulated up to the current hour, and in some hours a
      // routine send falls between a credential read and the attacker's request, so the story cites
      // that send (the first sink after the read) instead of the chain's last event.
      const chainEvents = new Set(chain.event_ids);
      const mine = (a: { rule_id: string; evidence_event_ids: readonly string[] }) => a.rule_id === rule && a.evidence_event_ids.some((id) => chainEvents.has(id));
      expect(inClickHouse.filter(mine), `${chain.id} in ClickHouse`).toHaveLength(1);
      expect(onTopic.map((a) => ({ rule_id: a.rule.id, evidence_event_ids: a.evidence.map((e) => e.event_id) })).filter(mine), `${chain.id} on the topic`).toHaveLength(1);
    }
    // Every alert, of any rule, is about a user with an injected chain.
    expect(inClickHouse.filter((a) => !victims.has(`${a.tenant_id}:${a.user_id}`))).toEqual([]);
    // The topic and the table hold the same alerts, each once.
    expect(new Set(onTopic.map((a) => a.alert_id)).size).toBe(onTopic.length);
    expect(onTopic.map((a) => a.alert_id).sort()).toEqual(inClickHouse.map((a) => a.alert_id));

    // The signals behind the story of each secret-then-sink chain are stored (table `signals`), once
    // each, and none of them reached the alerts topic.
    const signalsTable = qualified(t.config.clickhouse.database, 'signals');
    const signals = await queryRows<StoredAlert>(t.clickhouse, sql`SELECT alert_id, rule_id, tenant_id, user_id, evidence_event_ids FROM ${signalsTable} FINAL`.text);
    for (const chain of run.manifest.chains.filter((c) => c.type === 'secret-then-sink')) {
      const mine = signals.filter((s) => s.evidence_event_ids.some((id) => chain.event_ids.includes(id)));
      expect(new Set(mine.map((s) => s.rule_id)), `${chain.id} signals`).toEqual(new Set(['cred.store-access', 'approval.write-after-secret-read']));
    }
    expect(new Set(signals.map((s) => s.alert_id)).size).toBe(signals.length);
    const signalIds = new Set(signals.map((s) => s.alert_id));
    expect(onTopic.filter((a) => signalIds.has(a.alert_id))).toEqual([]);

    // Ingest classified every tool call with the detector's catalogue.
    const events = qualified(t.config.clickhouse.database, 'events');
    const [classes] = await queryRows<{ calls: string; unclassified: string }>(
      t.clickhouse,
      sql`SELECT count() AS calls, countIf(tool_class = '') AS unclassified FROM ${events} WHERE kind = 'tool_call'`.text,
    );
    expect(Number(classes!.calls)).toBeGreaterThan(100);
    expect(classes!.unclassified).toBe('0');
  });
});
