// Crash safety of the detector: it is SIGKILLed after the first steps of a chain and restarted
// before the last step. The chain is still detected (state rebuilt from ClickHouse below the
// committed offsets), and the alert appears once, on the alerts topic and in ClickHouse.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../core/kafka.ts';
import { qualified, sql } from '../core/sql.ts';
import type { IngestService } from '../ingest/ingest.service.ts';
import type { AuditProducer } from '../producer/audit.producer.ts';
import { readAlertsTopic } from './support/alerts.topic.ts';
import { loadChain } from './support/chain.fixture.ts';
import { spawnCli, type Child } from './support/child.ts';
import { connectProducer, startIngest, waitForDistinct } from './support/ingest.harness.ts';
import { createTestEnv, eventually, queryRows, testLog, type TestEnv } from './support/test.env.ts';

let t: TestEnv;
let ingest: IngestService;
let producer: AuditProducer;
const children: Child[] = [];

beforeAll(async () => {
  t = await createTestEnv('detcrash');
  ingest = await startIngest(t);
  producer = await connectProducer(t);
});
afterAll(async () => {
  for (const c of children) c.proc.kill('SIGKILL');
  await producer?.disconnect();
  await ingest?.stop();
  await t?.clickhouse.close();
});

async function committedByDetector(): Promise<number> {
  const admin = createKafka(t.config.kafka, testLog).admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId: t.config.detector.groupId, topics: [t.config.topics.events] });
    return (offsets?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
  } finally {
    await admin.disconnect();
  }
}

describe('detector killed with SIGKILL mid-chain', () => {
  it('still detects the chain after a restart, and raises it once', { timeout: 400_000 }, async () => {
    const chain = loadChain('exfil.mail-secret-send.chain.ndjson');
    const before = chain.slice(0, 5); // mail read and credential reads (and another user's calls)
    const after = chain.slice(5); // the posts to Slack

    const first = spawnCli(['detector'], t.env);
    children.push(first);
    await producer.sendMany(before);
    expect(await eventually(async () => (await committedByDetector()) >= before.length, 120_000), first.output()).toBe(true);
    // The restarted detector rebuilds from ClickHouse: wait until ingest stored the first steps.
    expect(await waitForDistinct(t, before.length, 120_000)).toBe(before.length);
    first.proc.kill('SIGKILL');
    await first.exited;

    const second = spawnCli(['detector'], t.env);
    children.push(second);
    await producer.sendMany(after);

    const table = qualified(t.config.clickhouse.database, 'alerts');
    const stored = async () =>
      queryRows<{ alert_id: string }>(t.clickhouse, sql`SELECT alert_id FROM ${table} FINAL WHERE rule_id = 'exfil.mail-secret-send'`.text);
    expect(await eventually(async () => (await stored()).length >= 1, 120_000), second.output()).toBe(true);
    // Give a duplicate every chance to show up before counting.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await stored()).toHaveLength(1);
    const onTopic = (await readAlertsTopic(t)).filter((a) => a.rule.id === 'exfil.mail-secret-send').map((a) => a.alert_id);
    expect(onTopic).toHaveLength(1);
    expect(onTopic[0]).toBe((await stored())[0]!.alert_id);

    second.proc.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
