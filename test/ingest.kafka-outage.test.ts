// Kafka crashes under a running `mcp-audit ingest`, once on each consumer client library
// (MCP_AUDIT_KAFKA_CONSUMER_CLIENT): the broker is SIGKILLed while ingest works through a first
// set of events, stays away longer than the consumer's session timeout, and starts again on the
// same data folder and port; a second set is produced after it. Ingest must not exit, and every
// event of both sets must be in ClickHouse (at least once: duplicates are counted, and FINAL
// collapses them). /healthz promises only that the consumer did not crash for good (it then
// exits), so it is asserted healthy once the broker is back; what it said meanwhile is reported.
// Uses its own broker (support/private.kafka.ts), never the shared one; ClickHouse is the shared one.
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKafka, stopKafka, type KafkaInstance } from '../stack/stack.ts';
import { spawnCli, type Child } from './support/child.ts';
import { makeEvents } from './support/events.factory.ts';
import { connectProducer, eventCounts, ingestMetric, rawEventCount, storedEventIds, waitForDistinct } from './support/ingest.harness.ts';
import { freePort } from '../stack/free.port.ts';
import { brokersOf, startPrivateKafka } from './support/private.kafka.ts';
import { createTestEnv, eventually, testLog, type TestEnv } from './support/test.env.ts';

// Longer than both clients' session timeout (30 s: kafkajs' default, and platformatic.clients.ts').
// With one broker the group coordinator is down too, and on its return it starts every member's
// session anew: a client that heartbeats again keeps its membership, one that made a new consumer
// meanwhile (kafkajs, after its crash) joins as a new member once the old one's session ran out.
// So the outage's length tests the clients' retries, not the group's patience.
const OUTAGE_MS = 35_000;
const FIRST = 10_000;
const SECOND = 5_000;
// Each client takes a minute or more here, the slowest file of the suite: `npm test` runs the default
// client, `npm run test:reliability` (MCP_AUDIT_TEST_ALL_CLIENTS=1) both.
const CLIENTS = process.env.MCP_AUDIT_TEST_ALL_CLIENTS === '1' ? (['platformatic', 'kafkajs'] as const) : (['platformatic'] as const);

let broker: KafkaInstance;

beforeAll(async () => {
  broker = await startPrivateKafka('ingest-kafka-outage');
}, 900_000);
afterAll(async () => {
  if (!broker) return;
  await stopKafka(broker, 'SIGKILL');
  rmSync(broker.dir, { recursive: true, force: true });
});

/** Sends the events with a producer of its own, so no producer outlives the broker it spoke to. */
async function produce(t: TestEnv, events: unknown[]): Promise<void> {
  const producer = await connectProducer(t);
  await producer.sendMany(events);
  await producer.disconnect();
}

/** What the child's JSON log lines say about the events consumer: group joins, restarts, failed commits. */
function watchConsumerLog(child: Child, eventsTopic: string) {
  const seen = { joins: 0, restarts: 0, failedCommits: 0 };
  createInterface({ input: child.proc.stdout! }).on('line', (line) => {
    let entry: { msg?: string; consumer?: string; topic?: string };
    try {
      entry = JSON.parse(line);
    } catch {
      return;
    }
    if (entry.msg === 'joined consumer group' && entry.topic === eventsTopic) seen.joins++;
    if (entry.msg === 'consumer restarting after a retriable error' && entry.consumer === 'events') seen.restarts++;
    if (entry.msg === 'offset commit failed; will retry' && entry.consumer === 'events') seen.failedCommits++;
  });
  return seen;
}

// 0: no answer within 5 s (or none at all).
const healthz = (port: number) => fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.status, () => 0);

describe.each(CLIENTS)('ingest on %s while Kafka crashes', (client) => {
  let t: TestEnv;
  let ingest: Child | undefined;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    t = await createTestEnv(`kafka_crash_${client}`, {
      MCP_AUDIT_KAFKA_BROKERS: brokersOf(broker),
      MCP_AUDIT_KAFKA_CONSUMER_CLIENT: client,
      MCP_AUDIT_INGEST_HEALTH_PORT: String(port),
      // Small, frequent batches, so the crash lands between inserts and commits, not after them all.
      MCP_AUDIT_INGEST_BATCH_ROWS: '500',
      MCP_AUDIT_INGEST_FLUSH_MS: '100',
      // The joins and restarts of the consumer are logged at info and warn: the report counts them.
      MCP_AUDIT_LOG_LEVEL: 'info',
    });
  });
  afterAll(async () => {
    ingest?.proc.kill('SIGKILL');
    await t?.clickhouse.close();
  });

  it('keeps running through a SIGKILLed broker and stores every event of before and after', { timeout: 600_000 }, async () => {
    const started = Date.now();
    const events = makeEvents(FIRST + SECOND, { seed: client === 'kafkajs' ? 61 : 62 });
    ingest = spawnCli(['ingest'], t.env);
    const child = ingest;
    let exited: number | null | undefined;
    void child.exited.then((code) => (exited = code));
    const log = watchConsumerLog(child, t.config.topics.events);
    const alive = () => exited === undefined;

    await produce(t, events.slice(0, FIRST));
    // Some are stored: the crash comes while ingest is at work on the rest.
    const working = await eventually(async () => (await eventCounts(t)).distinct > 0, 120_000, 50);
    expect(working, `nothing was stored before the crash:\n${child.output()}`).toBe(true);
    const atCrash = (await eventCounts(t)).distinct;

    await stopKafka(broker, 'SIGKILL');
    const down = Date.now();
    const duringOutage: number[] = [];
    while (Date.now() - down < OUTAGE_MS && alive()) {
      duringOutage.push(await healthz(port));
      await new Promise((r) => setTimeout(r, 1_000));
    }
    expect(alive(), `ingest exited (code ${exited}) while Kafka was down:\n${child.output()}`).toBe(true);
    const atRestart = (await eventCounts(t)).distinct;
    await startKafka(broker, testLog);
    const up = Date.now();
    await produce(t, events.slice(FIRST));

    const stored = await waitForDistinct(t, events.length, 300_000);
    expect(alive(), `ingest exited (code ${exited}) after Kafka came back:\n${child.output()}`).toBe(true);
    expect(stored, `only ${stored} of ${events.length} events stored after the outage:\n${child.output()}`).toBe(events.length);
    const raw = await rawEventCount(t);
    const ids = await storedEventIds(t);
    expect(events.filter((e) => !ids.has(e.event_id)).map((e) => e.event_id)).toEqual([]);
    expect(ids.size).toBe(events.length);
    expect(await eventCounts(t)).toEqual({ distinct: events.length, final: events.length });
    expect(await healthz(port)).toBe(200);
    const consumed = await ingestMetric(t, port, 'mcp_audit_ingest_consumed_total');
    const redelivered = await ingestMetric(t, port, 'mcp_audit_ingest_redelivered_total');

    console.log(
      `kafka outage on ${client}: ${atCrash} of ${FIRST} stored at the crash, ${atRestart} when the broker restarted; broker down ${seconds(up - down)} s (restart included); ` +
        `all ${events.length} stored ${seconds(Date.now() - up)} s after it was back; ` +
        `events consumer joined ${log.joins}x, restarted ${log.restarts}x, ${log.failedCommits} commits failed; /healthz during the outage: ${summary(duringOutage)}; ` +
        `read ${consumed} messages for ${events.length} events (${redelivered} counted as redelivered), ${raw - events.length} duplicate rows not yet merged; ` +
        `${seconds(Date.now() - started)} s in all`,
    );

    // Every stored event was read from Kafka, some perhaps twice: the counter cannot be below them.
    expect(consumed, 'mcp_audit_ingest_consumed_total').toBeGreaterThanOrEqual(events.length);
    child.proc.kill('SIGTERM');
    expect(await child.exited, child.output()).toBe(0);
  });
});

const seconds = (ms: number) => Math.round(ms / 1000);

/** `200 x33, 503 x2`: how often each status came back. */
function summary(statuses: number[]): string {
  const counts = new Map<number, number>();
  for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts].map(([s, n]) => `${s} x${n}`).join(', ') || 'none';
}
