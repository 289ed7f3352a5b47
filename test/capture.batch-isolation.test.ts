// Every call yields exactly one event in Kafka, whatever it carried: 20 reads of id_rsa beside one
// call carrying 64 long URLs and one nested 5,000 levels deep all arrive (the topic is consumed and
// counted), and the counts add up. Then the producer alone, against a real topic whose broker refuses
// big messages: one refused or invalid event never holds back the others of its batch.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallTracker } from '../capture/call.tracker.ts';
import { createCapture, type Capture } from '../capture/capture.ts';
import { createKafka } from '../core/kafka.ts';
import { AuditProducer } from '../producer/audit.producer.ts';
import type { AuditEventV1 } from '../schemas/event.v1.ts';
import type { AuditEventV2 } from '../schemas/event.v2.ts';
import { readTopicRaw, waitForTopic } from './capture.support.ts';
import { makeEvent } from './support/events.factory.ts';
import { createTestEnv, testLog, type TestEnv } from './support/test.env.ts';

let t: TestEnv;
let capture: Capture;

beforeAll(async () => {
  t = await createTestEnv('capture_batch', { MCP_AUDIT_CAPTURE_SPILL_DIR: mkdtempSync(join(tmpdir(), 'mcpa-spill-')) });
  capture = createCapture(t.config, { kafka: createKafka(t.config.kafka, testLog), log: testLog });
  await waitForTopic(createKafka(t.config.kafka, testLog), t.config.topics.events);
});
afterAll(async () => {
  await capture?.stop();
  await t?.clickhouse.close();
});

function deep(levels: number): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < levels; i++) v = [v];
  return v;
}

const KEY = `-----BEGIN OPENSSH PRIVATE KEY-----\n${'b3BlbnNzaC1rZXktdjEAAAAA'.repeat(40)}\n-----END OPENSSH PRIVATE KEY-----\n`;

describe('capture delivers one event per call', () => {
  it('20 id_rsa reads, one call with 64 long URLs and one nested 5,000 deep: 22 events in Kafka', async () => {
    const tracker = new CallTracker({
      session: { transport: 'stdio', fallbackServerName: 'fs' },
      identity: { tenantId: 'acme', userId: 'mallory' },
      build: capture.build,
      emit: (e) => capture.push(e),
      onError: (err) => testLog.error({ err }, 'tracker error'),
    });
    let id = 0;
    const call = (name: string, args: unknown, result: unknown) => {
      const rid = ++id;
      tracker.fromClient({ jsonrpc: '2.0', id: rid, method: 'tools/call', params: { name, arguments: args } });
      tracker.fromServer({ jsonrpc: '2.0', id: rid, result });
    };
    for (let i = 0; i < 20; i++) call('read_file', { path: '/home/mallory/.ssh/id_rsa' }, { content: [{ type: 'text', text: KEY }] });
    const urls = Array.from({ length: 64 }, (_, i) => `https://collector${i}.example/upload/${'z'.repeat(3_900)}`);
    call('fetch_all', { urls }, { content: [{ type: 'text', text: 'done' }] });
    call('read_file', { path: '/home/mallory/.ssh/id_rsa', pad: deep(5_000) }, { content: [{ type: 'text', text: KEY }] });

    expect(await capture.buffer.drain(30_000)).toBe(true);
    const events = (await readTopicRaw(createKafka(t.config.kafka, testLog), t.config.topics.events)).map(
      (m) => JSON.parse(m.value!.toString()) as AuditEventV2,
    );
    expect(events).toHaveLength(22);
    expect(events.filter((e) => e.tool?.name === 'read_file' && e.resource?.paths?.includes('/home/mallory/.ssh/id_rsa'))).toHaveLength(21);
    const fetchAll = events.find((e) => e.tool?.name === 'fetch_all')!;
    expect(fetchAll.resource!.hosts!.length).toBeGreaterThan(0);
    // The nested call's keyed hash covers what the bounded writer kept, and the event says it was cut.
    expect(events.filter((e) => e.arguments?.truncated === true).map((e) => e.arguments!.keys)).toEqual([['path', 'pad']]);
    expect(JSON.stringify(events)).not.toContain('b3BlbnNzaC1rZXktdjEAAAAA');
    expect(capture.buffer.stats()).toMatchObject({ seen: 22, sent: 22, spilled: 0, dropped: 0, pending: 0 });
  });

  it('the producer sends the rest of a batch when the broker refuses one event and another is invalid', async () => {
    const kafka = createKafka(t.config.kafka, testLog);
    const topic = `${t.config.topics.events}.small`;
    const admin = kafka.admin();
    await admin.connect();
    // This topic takes messages up to 2,000 bytes only, so the broker itself refuses a bigger one.
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '2000' }] }], waitForLeaders: true });
    await admin.disconnect();
    const producer = new AuditProducer(kafka, { topic });
    await producer.connect();
    try {
      const small = [makeEvent({ tenant_id: 'acme' }), makeEvent({ tenant_id: 'acme' })];
      const big = makeEvent({ tenant_id: 'acme', arguments: { preview: 'p'.repeat(4_000), sha256: 'a'.repeat(64), size_bytes: 4_000 } });
      const invalid = { ...makeEvent(), tenant_id: 'no:colons' };
      const rejected = await producer.sendEach([small[0], big, invalid, small[1]]);
      expect(rejected.map((r) => [r.index, r.reason])).toEqual([
        [1, expect.stringContaining('MESSAGE_TOO_LARGE')],
        [2, expect.stringContaining('tenant_id')],
      ]);
      const stored = (await readTopicRaw(kafka, topic)).map((m) => (JSON.parse(m.value!.toString()) as AuditEventV1).event_id);
      expect(stored.sort()).toEqual(small.map((e) => e.event_id).sort());
    } finally {
      await producer.disconnect();
    }
  });
});
