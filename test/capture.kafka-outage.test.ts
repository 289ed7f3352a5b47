// Kafka stopped for 30 s under servers wrapped by the SDK middleware, one per MCP generation side
// by side: a 1.x SDK server in a 2025-era session, and a 2.x SDK server answering stateless
// 2026-07-28 requests over Streamable HTTP (one server instance per request). Every call succeeds
// while Kafka is away (events spill to disk), and every event arrives once it is back, exactly
// once in ClickHouse. Uses its own Kafka broker (support/private.kafka.ts), never the shared one.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as ClientV2, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { McpServer as McpServerV2 } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCapture, type Capture } from '../capture/capture.ts';
import { withAudit } from '../capture/sdk.middleware.ts';
import { createKafka } from '../core/kafka.ts';
import type { IngestService } from '../ingest/ingest.service.ts';
import { startKafka, stopKafka, type KafkaInstance } from '../stack/stack.ts';
import type { AuditEventV2 } from '../schemas/event.v2.ts';
import { auditedEchoClient, readTopicRaw } from './capture.support.ts';
import { statelessV2, type Upstream } from './support/http.upstreams.ts';
import { eventCounts, startIngest, waitForDistinct } from './support/ingest.harness.ts';
import { brokersOf, startPrivateKafka } from './support/private.kafka.ts';
import { createTestEnv, testLog, type TestEnv } from './support/test.env.ts';

const OUTAGE_MS = 30_000;
const CALL_EVERY_MS = 100;

let broker: KafkaInstance;
let t: TestEnv;
let capture: Capture;
let ingest: IngestService | undefined;
let spillDir: string;
let upstream: Upstream | undefined;

beforeAll(async () => {
  broker = await startPrivateKafka('kafka-outage');
  spillDir = mkdtempSync(join(tmpdir(), 'mcpa-spill-'));
  t = await createTestEnv('capture_outage', {
    MCP_AUDIT_KAFKA_BROKERS: brokersOf(broker),
    MCP_AUDIT_CAPTURE_SPILL_DIR: spillDir,
    // Small enough that the outage overflows memory, so the disk path is what carries the events.
    MCP_AUDIT_CAPTURE_MEMORY_EVENTS: '20',
    MCP_AUDIT_CAPTURE_SEND_TIMEOUT_MS: '500',
  });
  capture = createCapture(t.config, { kafka: createKafka(t.config.kafka, testLog), log: testLog });
}, 900_000);
afterAll(async () => {
  upstream?.close();
  await capture?.stop();
  await ingest?.stop();
  await t?.clickhouse.close();
  if (broker) await stopKafka(broker);
});

describe('SDK middleware across a Kafka outage', () => {
  it('serves every call during 30 s without Kafka and delivers every event afterwards', async () => {
    const client = await auditedEchoClient(capture, 'outage-client');

    // The 2.x server builds one server per HTTP request; each is wrapped as it is made.
    upstream = await statelessV2(() => {
      const v2 = new McpServerV2({ name: 'echo2', version: '2.0.0' });
      v2.registerTool('echo', { description: 'Echoes.', inputSchema: z.object({ n: z.number() }) }, async ({ n }) => ({ content: [{ type: 'text', text: String(n) }] }));
      return withAudit(v2, { capture, identity: { tenantId: 'acme', userId: 'alice' } });
    });
    const statelessClient = new ClientV2({ name: 'outage-client-2026', version: '2.4.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await statelessClient.connect(new StreamableHTTPClientTransport(upstream.url));
    const clients = [client, statelessClient] as { callTool(p: { name: string; arguments: { n: number } }): Promise<unknown> }[];

    let n = 0;
    const failures: unknown[] = [];
    const callFor = async (ms: number) => {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        const i = n++;
        for (const c of clients) {
          const r = await c.callTool({ name: 'echo', arguments: { n: i } }).catch((err: unknown) => failures.push(err));
          if (typeof r === 'object' && (r as { content: { text: string }[] }).content[0]!.text !== String(i)) failures.push(r);
        }
        await new Promise((r) => setTimeout(r, CALL_EVERY_MS));
      }
    };

    await callFor(2_000);
    expect(await capture.buffer.drain(30_000)).toBe(true);
    await stopKafka(broker);
    const outageStart = n;
    await callFor(OUTAGE_MS);
    const duringOutage = n - outageStart;
    expect(capture.buffer.stats().spooled).toBeGreaterThan(0);
    expect(readdirSync(spillDir).some((f) => f.endsWith('.ndjson'))).toBe(true);
    await startKafka(broker, testLog);
    await callFor(2_000);

    expect(failures).toEqual([]);
    expect(duringOutage).toBeGreaterThan(OUTAGE_MS / CALL_EVERY_MS / 4);
    expect(await capture.buffer.drain(180_000)).toBe(true);
    const stats = capture.buffer.stats();
    expect(stats).toMatchObject({ dropped: 0, spilled: 0, pending: 0, spillBytes: 0, memory: 0 });
    expect(stats.sent).toBe(stats.seen);
    expect(readdirSync(spillDir)).toEqual([]);

    // Every call of each generation is one event in Kafka (raw read) and one row in ClickHouse (through ingest).
    const raw = await readTopicRaw(createKafka(t.config.kafka, testLog), t.config.topics.events);
    const calls = raw.map((m) => JSON.parse(m.value!.toString()) as AuditEventV2);
    for (const name of ['outage-client', 'outage-client-2026']) {
      const mine = calls.filter((e) => e.actor.client_name === name);
      expect(new Set(mine.map((e) => JSON.parse(e.arguments!.preview).n as number)).size).toBe(n);
      // At least once: a batch in flight when Kafka went away may be written twice, under one id.
      expect(new Set(mine.map((e) => e.event_id)).size).toBe(n);
    }
    // The stateless calls: client and protocol version from each request's _meta, no session.
    for (const e of calls.filter((c) => c.actor.client_name === 'outage-client-2026')) {
      expect(e).toMatchObject({ mcp: { protocol_version: '2026-07-28' }, actor: { client_version: '2.4.0' }, server: { name: 'echo2', transport: 'http' } });
      expect(e.mcp.session_id).toBeUndefined();
    }
    ingest = await startIngest(t);
    expect(await waitForDistinct(t, 2 * n, 120_000)).toBe(2 * n);
    expect((await eventCounts(t)).distinct).toBe(2 * n);
    await client.close();
    await statelessClient.close();
  });
});
