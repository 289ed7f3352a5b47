// Scale-out, shown (`npm run test:scale`, not part of `npm test`): a 3-broker KRaft Kafka cluster
// on this machine (replication factor 3, min.insync.replicas 2), two ingest and two detector
// processes in their consumer groups and the notifier, all real child processes, under steady
// simulated traffic with injected attack chains. Faults: SIGKILL one detector (its partitions move
// to the survivor, which rebuilds their state from ClickHouse), SIGKILL one broker, then restart
// both. Chains are split across each fault (first steps before, the completing step after).
// Afterwards every event is stored exactly once, every chain raised exactly one alert, and no
// alert is duplicated in ClickHouse or in what the notifier delivered. What was measured is
// printed and written to report.json in the run folder; docs/scaling.md quotes a passing run.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { createKafka } from '../../core/kafka.ts';
import { createLogger } from '../../core/logger.ts';
import { list, qualified, sql } from '../../core/sql.ts';
import { PRIMARY_RULE } from '../../simulate/quality/score.ts';
import { startTestReceiver, type TestReceiver } from '../support/siem.receiver.ts';
import { AuditProducer } from '../../producer/audit.producer.ts';
import type { AlertV1 } from '../../schemas/alert.v1.ts';
import { chainTypes, type ChainType } from '../../simulate/chains.ts';
import { clusterBrokers, kafkaClusterInstances, startKafkaCluster, stopKafkaCluster, waitForBrokers } from '../../stack/kafka.cluster.ts';
import { kafkaPid, startKafka, stopKafka, type KafkaInstance } from '../../stack/kafka.process.ts';
import { kafkaLibsDir } from '../../stack/stack.ts';
import { readAlertsTopic, type StoredAlert } from '../support/alerts.topic.ts';
import { eventCounts } from '../support/ingest.harness.ts';
import { freePort } from '../../stack/free.port.ts';
import { createTestEnv, eventually, queryRows, testLog, type TestEnv } from '../support/test.env.ts';
import { committedOffsets, endOffsets, groupAssignment, partitionInfo } from './groups.ts';
import { Services } from './services.ts';
import { SteadyTraffic, type SplitChain } from './traffic.ts';

/** Events per second of steady traffic: enough to keep every partition busy, little CPU on 2 cores. */
const RATE = 25;
const PARTITIONS = 6;
/** Generous: on a shared 2-core machine a rebalance, a rebuild or a broker restart can take minutes. */
const WAIT_MS = 300_000;

// The test's own Kafka clients log every refused connection to the killed broker; the services'
// logs (in the run folder) and the counts are what matter.
const quiet = createLogger('silent');
const runDir = mkdtempSync(join(tmpdir(), 'mcpa-scale-'));
const secret = `whsec_${randomBytes(24).toString('base64')}`;
let nodes: KafkaInstance[] = [];
let t: TestEnv;
let admin: Admin;
let services: Services;
let receiver: TestReceiver;
let producer: AuditProducer;
let traffic: SteadyTraffic | undefined;
let passed = false;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const since = (t0: number) => Math.round((Date.now() - t0) / 100) / 10;
const log = (line: string) => console.log(`[scale ${new Date().toISOString().slice(11, 19)}] ${line}`);

/** If the run dies without afterAll, nothing it started may outlive it. */
function killEverythingNow(): void {
  services?.killAll();
  for (const n of nodes) {
    const pid = kafkaPid(n);
    if (pid) process.kill(pid, 'SIGKILL');
  }
}
process.on('exit', killEverythingNow);

beforeAll(async () => {
  const ports = await Promise.all(Array.from({ length: 6 }, () => freePort()));
  nodes = kafkaClusterInstances({
    version: '3.9.2',
    dir: join(runDir, 'kafka'),
    nodes: [0, 1, 2].map((i) => ({ port: ports[2 * i]!, controllerPort: ports[2 * i + 1]! })),
    libsDir: kafkaLibsDir(loadConfig().stack.dir, '3.9.2'),
    replicationFactor: 3,
    minInsyncReplicas: 2,
    // Three brokers share two cores and the memory with the shared stack and other test runs.
    maxHeap: '512m',
  });
  const started = Date.now();
  await startKafkaCluster(nodes, testLog);
  log(`3-broker cluster up in ${since(started)} s: ${clusterBrokers(nodes).join(', ')} (logs in ${runDir})`);

  t = await createTestEnv(
    'scale',
    {
      MCP_AUDIT_KAFKA_BROKERS: clusterBrokers(nodes).join(','),
      MCP_AUDIT_STACK_EVENTS_PARTITIONS: String(PARTITIONS),
      // The test reads rebalances and rebuilds from the services' own logs.
      MCP_AUDIT_LOG_LEVEL: 'info',
    },
    { replicationFactor: 3, minInsyncReplicas: 2 },
  );
  admin = createKafka(t.config.kafka, quiet).admin();
  await admin.connect();
  receiver = await startTestReceiver();
  services = new Services(runDir, {
    ...t.env,
    MCP_AUDIT_NOTIFIER_DESTINATIONS_JSON: JSON.stringify([
      { name: 'siem', type: 'standard-webhooks', url: receiver.url, secret_env: 'T_SCALE_SECRET', allow_networks: ['loopback'] },
    ]),
    T_SCALE_SECRET: secret,
  });
  producer = new AuditProducer(createKafka(t.config.kafka, quiet), { topic: t.config.topics.events, maxBatch: 2_000 });
  await producer.connect();
}, 900_000);

afterAll(async () => {
  await traffic?.stop().catch(() => {});
  services?.killAll();
  await producer?.disconnect().catch(() => {});
  await admin?.disconnect().catch(() => {});
  await receiver?.close();
  await stopKafkaCluster(nodes, 'SIGKILL');
  await t?.clickhouse.close();
  if (passed) rmSync(runDir, { recursive: true, force: true });
  else console.log(`scale run failed; logs kept in ${runDir}`);
}, 120_000);

/**
 * The rules whose alert counts as a chain's alert. A credential read then an outbound request is a
 * story of two signals (risk.story); when the user's own traffic read mail a few minutes before,
 * the same steps complete the mail-secret-send chain instead, and that rule alerts for it.
 */
const chainRules = (type: ChainType): string[] =>
  type === 'secret-then-sink' ? [PRIMARY_RULE[type], 'exfil.mail-secret-send'] : [PRIMARY_RULE[type]];

describe('scale-out on a 3-broker cluster', () => {
  it('keeps every event once and every chain alerted once through a detector kill, a broker kill and both restarts', { timeout: 3_600_000 }, async () => {
    const events = t.config.topics.events;
    const detectorGroup = t.config.detector.groupId;
    const report: Record<string, unknown> = { loadBefore: loadavg().map((l) => l.toFixed(2)), rate: RATE, partitions: PARTITIONS };

    // The topics as production runs them: 3 replicas, 2 of which must acknowledge a write.
    const layout = await partitionInfo(admin, events);
    expect(layout.map((p) => p.replicas.length)).toEqual(Array(PARTITIONS).fill(3));
    const described = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: events, configNames: ['min.insync.replicas'] }], includeSynonyms: false });
    expect(described.resources[0]!.configEntries.find((c) => c.configName === 'min.insync.replicas')?.configValue).toBe('2');

    // --- the pipeline: 2 ingest, 2 detectors, 1 notifier ---
    const t0 = Date.now();
    for (const name of ['ingest-a', 'ingest-b']) services.start(name, 'ingest');
    for (const name of ['detector-a', 'detector-b']) services.start(name, 'detector');
    services.start('notifier', 'notifier');
    const twoDetectors = async () => {
      const g = await groupAssignment(admin, detectorGroup, events);
      return g.state === 'Stable' && (g.members['detector-a']?.length ?? 0) > 0 && (g.members['detector-b']?.length ?? 0) > 0;
    };
    expect(await eventually(twoDetectors, WAIT_MS, 500), services.output('detector-b')).toBe(true);
    expect(
      await eventually(async () => Object.values((await groupAssignment(admin, t.config.ingest.groupId, events)).members).filter((p) => p.length > 0).length === 2, WAIT_MS, 500),
      services.output('ingest-b'),
    ).toBe(true);
    const initial = (await groupAssignment(admin, detectorGroup, events)).members;
    report.assignment = { initial, ingest: (await groupAssignment(admin, t.config.ingest.groupId, events)).members };
    log(`services up in ${since(t0)} s; detector partitions ${JSON.stringify(initial)}`);

    // --- steady traffic with a chain of some type every 20 s ---
    traffic = new SteadyTraffic(producer, {
      rate: RATE,
      users: 40,
      seed: 12,
      inject: Array.from({ length: 4 }, () => chainTypes.map((type) => ({ type, count: 1 }))).flat(),
    });
    traffic.start();
    await sleep(20_000);

    /** Waits until the detector group committed past what was sent so far on `partitions`, and ingest stored `ids`. */
    const processedAndStored = async (partitions: readonly number[], ids: readonly string[]) => {
      const ends = await endOffsets(admin, events);
      const table = qualified(t.config.clickhouse.database, 'events');
      return eventually(async () => {
        const committed = await committedOffsets(admin, detectorGroup, events);
        if (partitions.some((p) => (committed.get(p) ?? -1) < ends.get(p)!)) return false;
        const [row] = await queryRows<{ n: string }>(t.clickhouse, sql`SELECT uniqExact(event_id) AS n FROM ${table} WHERE event_id IN (${list(ids)})`.text);
        return Number(row!.n) === ids.length;
      }, WAIT_MS, 500);
    };
    const split: SplitChain[] = [];
    const firstSteps = (s: readonly SplitChain[]) => s.flatMap((c) => c.chain.event_ids.slice(0, -1));

    // --- fault 1: SIGKILL detector-b mid-chain ---
    const moved = initial['detector-b']!;
    const split1 = await traffic.startSplitChains(chainTypes, moved, PARTITIONS);
    split.push(...split1);
    expect(await processedAndStored(moved, firstSteps(split1))).toBe(true);
    const killDetectorAt = Date.now();
    await services.kill('detector-b');
    log(`SIGKILLed detector-b (partitions ${moved.join(',')}) with ${split1.length} chains half done`);
    await traffic.finishSplitChains(split1);
    const survivorOwnsAll = async () => {
      const g = await groupAssignment(admin, detectorGroup, events);
      return g.state === 'Stable' && (g.members['detector-a']?.length ?? 0) === PARTITIONS;
    };
    expect(await eventually(survivorOwnsAll, WAIT_MS, 250), services.output('detector-a')).toBe(true);
    const takeoverS = since(killDetectorAt);
    expect(await eventually(async () => services.logged('detector-a', 'detector ready').some((l) => Number(l.time) > killDetectorAt), WAIT_MS, 250)).toBe(true);
    const rebuild = services.logged('detector-a', 'detector ready').find((l) => Number(l.time) > killDetectorAt)!;
    report.detectorKill = {
      movedPartitions: moved,
      takeoverSeconds: takeoverS,
      rebuildReadySeconds: Math.round((Number(rebuild.time) - killDetectorAt) / 100) / 10,
      rebuild: { partitions: rebuild.partitions, replayedEvents: rebuild.replayed, ms: rebuild.ms },
    };
    log(`detector-a owns all ${PARTITIONS} partitions ${takeoverS} s after the kill; rebuilt ${String(rebuild.replayed)} events in ${String(rebuild.ms)} ms`);
    await sleep(10_000);

    // --- fault 2: SIGKILL the broker that leads the most events partitions ---
    const leaders = await partitionInfo(admin, events);
    const counts = new Map<number, number>();
    for (const p of leaders) counts.set(p.leader, (counts.get(p.leader) ?? 0) + 1);
    const victimId = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    const victim = nodes[victimId - 1]!;
    const led = leaders.filter((p) => p.leader === victimId).map((p) => p.partition);
    const split2 = await traffic.startSplitChains(chainTypes, led, PARTITIONS);
    split.push(...split2);
    expect(await processedAndStored(led, firstSteps(split2))).toBe(true);
    const sentBeforeBrokerKill = traffic.sent.size;
    const killBrokerAt = Date.now();
    await stopKafka(victim, 'SIGKILL');
    log(`SIGKILLed broker ${victimId} (leader of partitions ${led.join(',')})`);
    const newLeaders = async () => {
      const now = await partitionInfo(admin, events).catch(() => []);
      return now.length === PARTITIONS && now.every((p) => p.leader !== victimId && p.leader >= 0);
    };
    expect(await eventually(newLeaders, WAIT_MS, 250)).toBe(true);
    const failoverS = since(killBrokerAt);
    await traffic.finishSplitChains(split2);
    await sleep(20_000);
    const whileDown = await partitionInfo(admin, events);
    report.brokerKill = {
      broker: victimId,
      ledPartitions: led,
      newLeadersSeconds: failoverS,
      isrWhileDown: Object.fromEntries(whileDown.map((p) => [p.partition, p.isr])),
      eventsSentWhileDown: traffic.sent.size - sentBeforeBrokerKill,
    };
    log(`leaders moved off broker ${victimId} in ${failoverS} s; ${traffic.sent.size - sentBeforeBrokerKill} events sent with it down`);

    // --- restart both: the broker, then detector-b ---
    const split3 = await traffic.startSplitChains(chainTypes, moved, PARTITIONS);
    split.push(...split3);
    expect(await processedAndStored(moved, firstSteps(split3))).toBe(true);
    const restartAt = Date.now();
    await startKafka(victim, testLog);
    await waitForBrokers(nodes, 3, WAIT_MS);
    const fullIsr = async () => (await partitionInfo(admin, events)).every((p) => p.isr.length === 3);
    expect(await eventually(fullIsr, WAIT_MS, 500)).toBe(true);
    const isrBackS = since(restartAt);
    const detectorRestartAt = Date.now();
    services.start('detector-b', 'detector');
    expect(await eventually(twoDetectors, WAIT_MS, 250), services.output('detector-b')).toBe(true);
    const rejoinS = since(detectorRestartAt);
    await traffic.finishSplitChains(split3);
    const after = (await groupAssignment(admin, detectorGroup, events)).members;
    // Both members rebuild after the rebalance: the survivor too, for the partitions it keeps.
    const readySinceRestart = (name: string) => services.logged(name, 'detector ready').filter((l) => Number(l.time) > detectorRestartAt);
    expect(await eventually(async () => readySinceRestart('detector-a').length > 0 && readySinceRestart('detector-b').length > 0, WAIT_MS, 250)).toBe(true);
    report.restart = {
      brokerBackInIsrSeconds: isrBackS,
      detectorRejoinSeconds: rejoinS,
      assignmentAfter: after,
      rebuilds: ['detector-a', 'detector-b'].map((name) => ({ name, ...readySinceRestart(name).map((l) => ({ partitions: l.partitions, replayedEvents: l.replayed, ms: l.ms })).at(-1) })),
    };
    log(`broker ${victimId} back in every ISR after ${isrBackS} s; detector-b rejoined in ${rejoinS} s; partitions ${JSON.stringify(after)}`);
    await sleep(20_000);

    // --- drain ---
    const stopAt = Date.now();
    await traffic.stop();
    const sent = traffic.sent;
    const chains = traffic.chains(split);
    writeFileSync(join(runDir, 'chains.json'), JSON.stringify(chains, null, 2));
    log(`traffic stopped: ${sent.size} events, ${chains.length} chains (${split.length} split across faults); draining`);
    expect(await eventually(async () => (await eventCounts(t)).distinct >= sent.size, WAIT_MS, 1_000)).toBe(true);
    const alertsTable = qualified(t.config.clickhouse.database, 'alerts');
    const storedAlerts = () => queryRows<StoredAlert>(t.clickhouse, sql`SELECT alert_id, rule_id, tenant_id, user_id, evidence_event_ids FROM ${alertsTable} FINAL`.text);
    // A chain's alert is one of its rules citing its events. Not necessarily the completing step: in
    // live traffic the user's own calls run between the steps, and a story alerts on the first
    // outbound call after the credential read, which may be a routine one.
    const alertOf = (c: (typeof chains)[number]) => (a: { rule_id: string; evidence_event_ids: readonly string[] }) =>
      chainRules(c.type).includes(a.rule_id) && a.evidence_event_ids.some((id) => c.event_ids.includes(id));
    const unalerted = async () => {
      const stored = await storedAlerts();
      return chains.filter((c) => !stored.some(alertOf(c))).map((c) => c.id);
    };
    const allAlerted = await eventually(async () => (await unalerted()).length === 0, WAIT_MS, 1_000);
    expect(allAlerted, `chains without an alert: ${JSON.stringify(await unalerted())}`).toBe(true);
    const delivered = () => receiver.accepted().map((r) => JSON.parse(r.body) as { data: AlertV1 });
    const alerted = await storedAlerts();
    expect(await eventually(async () => alerted.every((a) => delivered().some((d) => d.data.alert_id === a.alert_id)), WAIT_MS, 1_000)).toBe(true);
    report.drainSeconds = since(stopAt);
    // The stream is idle now; give a late or duplicate alert every chance to show up before counting.
    await sleep(15_000);

    // --- every event exactly once ---
    const eventsTable = qualified(t.config.clickhouse.database, 'events');
    const stored = new Set((await queryRows<{ event_id: string }>(t.clickhouse, sql`SELECT DISTINCT event_id FROM ${eventsTable}`.text)).map((r) => r.event_id));
    const [dupes] = await queryRows<{ n: string }>(t.clickhouse, sql`SELECT count() AS n FROM (SELECT event_id FROM ${eventsTable} FINAL GROUP BY event_id HAVING count() > 1)`.text);
    const [raw] = await queryRows<{ n: string }>(t.clickhouse, sql`SELECT count() AS n FROM ${eventsTable}`.text);
    const storedCounts = await eventCounts(t);
    expect([...sent].filter((id) => !stored.has(id))).toEqual([]);
    expect([...stored].filter((id) => !sent.has(id))).toEqual([]);
    expect(storedCounts).toEqual({ distinct: sent.size, final: sent.size });
    expect(dupes!.n).toBe('0');

    // --- every chain alerted exactly once; no alert twice, anywhere ---
    const inClickHouse = await storedAlerts();
    const [rawAlerts] = await queryRows<{ n: string }>(t.clickhouse, sql`SELECT count() AS n FROM ${alertsTable}`.text);
    const onTopic = await readAlertsTopic(t);
    const deliveries = delivered();
    const perChain = chains.map((c) => ({
      id: c.id,
      clickhouse: inClickHouse.filter(alertOf(c)).length,
      topicIds: new Set(onTopic.filter((a) => alertOf(c)({ rule_id: a.rule.id, evidence_event_ids: a.evidence.map((e) => e.event_id) })).map((a) => a.alert_id)).size,
      deliveredIds: new Set(deliveries.filter((d) => alertOf(c)({ rule_id: d.data.rule.id, evidence_event_ids: d.data.evidence.map((e) => e.event_id) })).map((d) => d.data.alert_id)).size,
    }));
    for (const c of perChain) expect(c, c.id).toEqual({ id: c.id, clickhouse: 1, topicIds: 1, deliveredIds: 1 });
    const count = (ids: string[]) => ids.reduce((m, id) => m.set(id, (m.get(id) ?? 0) + 1), new Map<string, number>());
    const repeatedOnTopic = [...count(onTopic.map((a) => a.alert_id)).entries()].filter(([, n]) => n > 1);
    const repeatedDeliveries = [...count(deliveries.map((d) => d.data.alert_id)).entries()].filter(([, n]) => n > 1);
    expect(new Set(inClickHouse.map((a) => a.alert_id)).size).toBe(inClickHouse.length);
    expect(repeatedOnTopic).toEqual([]);
    expect(repeatedDeliveries).toEqual([]);
    expect(new Set(onTopic.map((a) => a.alert_id))).toEqual(new Set(inClickHouse.map((a) => a.alert_id)));
    expect(new Set(deliveries.map((d) => d.data.alert_id))).toEqual(new Set(inClickHouse.map((a) => a.alert_id)));

    const chainUsers = new Set(chains.map((c) => `${c.tenant_id}:${c.user_id}`));
    Object.assign(report, {
      events: { sent: sent.size, storedDistinct: storedCounts.distinct, storedFinal: storedCounts.final, rawRowsBeforeMerge: Number(raw!.n), duplicateIdsAfterFinal: Number(dupes!.n), resends: traffic.resends, slowestSendMs: traffic.slowestSendMs },
      chains: { total: chains.length, split: split.length, live: chains.length - split.length, alertedOnce: perChain.filter((c) => c.clickhouse === 1).length },
      alerts: {
        clickhouse: inClickHouse.length,
        rawRowsBeforeMerge: Number(rawAlerts!.n),
        topicMessages: onTopic.length,
        deliveries: deliveries.length,
        onUsersWithoutChain: inClickHouse.filter((a) => !chainUsers.has(`${a.tenant_id}:${a.user_id}`)).map((a) => a.rule_id),
      },
      loadAfter: loadavg().map((l) => l.toFixed(2)),
      wallSeconds: since(t0),
    });
    writeFileSync(join(runDir, 'report.json'), JSON.stringify(report, null, 2));
    console.log(`scale report:\n${JSON.stringify(report, null, 2)}`);
    passed = true;
  });
});
