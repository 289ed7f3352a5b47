// A detector that takes over a partition rebuilds its state from ClickHouse, so it must wait until
// ingest has stored every event the previous owner processed. Here ingest is a few events behind
// (stopped) when the detector is SIGKILLed after the first steps of a chain; the new detector starts
// while ingest is still stopped, ingest comes back, and the chain's last step follows. The chain is
// still caught, once: the rebuild waited for ingest instead of replaying what ClickHouse had.
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../core/kafka.ts';
import { uuidv7 } from '../core/ids.ts';
import { qualified, sql } from '../core/sql.ts';
import type { IngestService } from '../ingest/ingest.service.ts';
import type { AuditProducer } from '../producer/audit.producer.ts';
import type { AuditEventV1 } from '../schemas/event.v1.ts';
import { loadChain } from './support/chain.fixture.ts';
import { spawnCli, type Child } from './support/child.ts';
import { connectProducer, startIngest, waitForDistinct } from './support/ingest.harness.ts';
import { createTestEnv, eventually, queryRows, testLog, type TestEnv } from './support/test.env.ts';

let t: TestEnv;
let ingest: IngestService | undefined;
let producer: AuditProducer;
const children: Child[] = [];

beforeAll(async () => {
  t = await createTestEnv('detlag', { MCP_AUDIT_DETECTOR_REBUILD_WAIT_MS: '120000' });
  producer = await connectProducer(t);
});
afterAll(async () => {
  for (const c of children) c.proc.kill('SIGKILL');
  await producer?.disconnect();
  await ingest?.stop();
  await t?.clickhouse.close();
});

async function withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = createKafka(t.config.kafka, testLog).admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

const committed = (groupId: string) =>
  withAdmin(async (admin) => {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [t.config.topics.events] });
    return (offsets?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
  });

/** Member ids of the detector group once it is stable. */
const detectorMembers = () =>
  withAdmin(async (admin) => {
    const { groups } = await admin.describeGroups([t.config.detector.groupId]);
    return groups[0]?.state === 'Stable' ? groups[0].members.map((m) => m.memberId) : [];
  });

describe('detector taking over while ingest is behind', () => {
  it('waits for ingest before rebuilding, and still catches the chain once', { timeout: 400_000 }, async () => {
    // alice's chain only: mail read, credential read, then the post to Slack.
    const chain = loadChain('exfil.mail-secret-send.chain.ndjson').filter((e) => e.actor.user_id === 'alice@acme.com');
    const [mail, secret, ...sends] = chain;
    // Routine calls of hers fill the partition first, so ClickHouse holds offsets close to the end.
    const routine: AuditEventV1[] = Array.from({ length: 40 }, (_, i) => {
      const ms = Date.parse(mail!.ts) - 60_000 + i * 1_000;
      return { ...secret!, event_id: uuidv7(ms), ts: new Date(ms).toISOString(), tool: { name: 'list_directory' }, arguments: { ...secret!.arguments!, preview: '{"path":"/home/alice/src"}' }, resource: { paths: ['/home/alice/src'] } };
    });

    ingest = await startIngest(t);
    await producer.sendMany(routine);
    expect(await waitForDistinct(t, routine.length, 120_000)).toBe(routine.length);
    await ingest.stop();
    ingest = undefined;

    const first = spawnCli(['detector'], t.env);
    children.push(first);
    await producer.sendMany([mail!, secret!]);
    expect(await eventually(async () => (await committed(t.config.detector.groupId)) >= routine.length + 2, 120_000), first.output()).toBe(true);
    const [firstMember] = await detectorMembers();
    first.proc.kill('SIGKILL');
    await first.exited;

    // The new owner takes the partition over (once the group has dropped the killed member) while
    // the two chain steps are in Kafka but not yet in ClickHouse; ingest stays away a little longer.
    const second = spawnCli(['detector'], t.env);
    children.push(second);
    expect(await eventually(async () => {
      const members = await detectorMembers();
      return members.length === 1 && members[0] !== firstMember;
    }, 120_000, 200), second.output()).toBe(true);
    await new Promise((r) => setTimeout(r, 5_000));
    ingest = await startIngest(t);
    expect(await waitForDistinct(t, routine.length + 2, 120_000)).toBe(routine.length + 2);
    await producer.sendMany(sends);

    const table = qualified(t.config.clickhouse.database, 'alerts');
    const stored = async () => queryRows<{ alert_id: string }>(t.clickhouse, sql`SELECT alert_id FROM ${table} FINAL WHERE rule_id = 'exfil.mail-secret-send'`.text);
    expect(await eventually(async () => (await stored()).length >= 1, 180_000), second.output()).toBe(true);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await stored()).toHaveLength(1);

    second.proc.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
