// Crash safety: `mcp-audit ingest` is SIGKILLed mid-stream and started again. Every event id must
// be present and none counted twice by a count query (FINAL collapses the re-delivered rows).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditProducer } from '../producer/audit.producer.ts';
import { spawnCli, type Child } from './support/child.ts';
import { makeEvents } from './support/events.factory.ts';
import { connectProducer, eventCounts, storedEventIds, waitForDistinct } from './support/ingest.harness.ts';
import { createTestEnv, eventually, type TestEnv } from './support/test.env.ts';

let t: TestEnv;
let producer: AuditProducer;
const children: Child[] = [];

beforeAll(async () => {
  // Small, frequent batches, so the kill lands between inserts and commits, not only before them.
  t = await createTestEnv('sigkill', { MCP_AUDIT_INGEST_BATCH_ROWS: '500', MCP_AUDIT_INGEST_FLUSH_MS: '100' });
  producer = await connectProducer(t);
});
afterAll(async () => {
  for (const c of children) c.proc.kill('SIGKILL');
  await producer?.disconnect();
  await t?.clickhouse.close();
});

describe('ingest killed with SIGKILL', () => {
  it('loses nothing and shows nothing twice after a restart', async () => {
    const events = makeEvents(20_000, { seed: 99 });
    const first = spawnCli(['ingest'], t.env);
    children.push(first);

    // Produce the first half, then kill the ingest while it is busy with it.
    for (let i = 0; i < 10_000; i += 1_000) await producer.sendMany(events.slice(i, i + 1_000));
    const started = await eventually(async () => (await eventCounts(t)).distinct > 1_000, 60_000, 50);
    expect(started, first.output()).toBe(true);
    first.proc.kill('SIGKILL');
    await first.exited;
    const atKill = (await eventCounts(t)).distinct;

    // The rest arrives while no ingest runs; then a fresh one starts from the committed offsets.
    for (let i = 10_000; i < events.length; i += 1_000) await producer.sendMany(events.slice(i, i + 1_000));
    const second = spawnCli(['ingest'], t.env);
    children.push(second);
    expect(await waitForDistinct(t, events.length, 120_000), second.output()).toBe(events.length);

    const counts = await eventCounts(t);
    expect(counts).toEqual({ distinct: events.length, final: events.length });
    const stored = await storedEventIds(t);
    expect(stored.size).toBe(events.length);
    for (const e of events) expect(stored.has(e.event_id)).toBe(true);
    expect(atKill).toBeLessThan(events.length);

    second.proc.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
