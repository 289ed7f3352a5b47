// SIGTERM drains: rows still buffered (the flush interval is far away) are written and their
// offsets committed before the process exits, so a restarted ingest has nothing to re-deliver.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditProducer } from '../producer/audit.producer.ts';
import { spawnCli, type Child } from './support/child.ts';
import { makeEvents } from './support/events.factory.ts';
import { connectProducer, eventCounts, ingestMetric, rawEventCount } from './support/ingest.harness.ts';
import { freePort } from '../stack/free.port.ts';
import { createTestEnv, eventually, type TestEnv } from './support/test.env.ts';

let t: TestEnv;
let producer: AuditProducer;
let port: number;
const children: Child[] = [];

const metric = (name: string) => ingestMetric(t, port, name);

beforeAll(async () => {
  port = await freePort();
  // Nothing is flushed by size or time during the test: only the shutdown drain writes rows.
  t = await createTestEnv('sigterm', {
    MCP_AUDIT_INGEST_BATCH_ROWS: '100000',
    MCP_AUDIT_INGEST_FLUSH_MS: '600000',
    MCP_AUDIT_INGEST_HEALTH_PORT: String(port),
  });
  producer = await connectProducer(t);
});
afterAll(async () => {
  for (const c of children) c.proc.kill('SIGKILL');
  await producer?.disconnect();
  await t?.clickhouse.close();
});

const rawCount = () => rawEventCount(t);

describe('ingest on SIGTERM', () => {
  it('flushes what it buffered, commits, and exits 0', async () => {
    const events = makeEvents(3_000, { seed: 3 });
    const first = spawnCli(['ingest'], t.env);
    children.push(first);
    await producer.sendMany(events);
    expect(await eventually(async () => (await metric('mcp_audit_ingest_consumed_total')) >= events.length, 60_000), first.output()).toBe(true);
    expect(await rawCount()).toBe(0);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);

    first.proc.kill('SIGTERM');
    expect(await first.exited, first.output()).toBe(0);
    expect(await rawCount()).toBe(events.length);

    // A new ingest starts from the committed offsets: nothing comes twice, not even physically.
    const second = spawnCli(['ingest'], t.env);
    children.push(second);
    expect(await eventually(async () => (await metric('mcp_audit_ingest_consumed_total')) >= 0 && (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)), 30_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await metric('mcp_audit_ingest_consumed_total')).toBe(0);
    second.proc.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(await rawCount()).toBe(events.length);
    expect(await eventCounts(t)).toEqual({ distinct: events.length, final: events.length });
  });
});
