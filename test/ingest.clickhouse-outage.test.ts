// ClickHouse stopped for 30 s while events keep arriving: ingest pauses and retries, and once the
// server is back every event is there, each once. Runs its own ClickHouse so that stopping it
// does not disturb the shared server of the other tests.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestService } from '../ingest/ingest.service.ts';
import type { AuditProducer } from '../producer/audit.producer.ts';
import { startClickHouse, stopClickHouse, type ClickHouseInstance } from '../stack/stack.ts';
import { makeEvents } from './support/events.factory.ts';
import { connectProducer, eventCounts, startIngest, waitForDistinct } from './support/ingest.harness.ts';
import { createTestEnv, testLog, type TestEnv } from './support/test.env.ts';

const instance: ClickHouseInstance = { dir: mkdtempSync(join(tmpdir(), 'mcpa-ch-outage-')), httpPort: 18_223, tcpPort: 19_100 };
let t: TestEnv;
let ingest: IngestService;
let producer: AuditProducer;

beforeAll(async () => {
  await startClickHouse(instance, testLog);
  t = await createTestEnv('outage', {
    MCP_AUDIT_CLICKHOUSE_URL: `http://127.0.0.1:${instance.httpPort}`,
    MCP_AUDIT_INGEST_RETRY_MAX_MS: '2000',
  });
  ingest = await startIngest(t);
  producer = await connectProducer(t);
});
afterAll(async () => {
  await producer?.disconnect();
  await ingest?.stop();
  await t?.clickhouse.close();
  await stopClickHouse(instance);
});

describe('ClickHouse unavailable', () => {
  it('pauses, retries and loses nothing across a 30 s outage', { timeout: 300_000 }, async () => {
    const events = makeEvents(9_000, { seed: 5 });
    await producer.sendMany(events.slice(0, 3_000));
    expect(await waitForDistinct(t, 3_000)).toBe(3_000);

    // SIGKILL: the harshest stop, and one that cannot stall behind a slow graceful shutdown.
    await stopClickHouse(instance, 'SIGKILL');
    const outageStart = Date.now();
    // Events keep arriving during the outage, in three waves.
    for (let wave = 1; wave <= 3; wave++) {
      await producer.sendMany(events.slice(wave * 1_500 + 1_500, wave * 1_500 + 3_000));
      await new Promise((r) => setTimeout(r, 10_000));
    }
    expect(Date.now() - outageStart).toBeGreaterThanOrEqual(30_000);
    await startClickHouse(instance, testLog);
    await producer.sendMany(events.slice(7_500));

    expect(await waitForDistinct(t, events.length, 120_000)).toBe(events.length);
    expect(await eventCounts(t)).toEqual({ distinct: events.length, final: events.length });
  });
});
