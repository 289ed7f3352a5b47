// The detector service: Kafka `mcp.audit.events` -> rules -> Kafka `mcp.audit.alerts`.
//
//   decode -> classify and match (the engine) -> alerts with deterministic ids -> incident ->
//   produce (acks from all replicas) -> commit the batch's offsets
//
// At-least-once like ingest: a batch's offsets are committed only after its alerts were
// acknowledged. A crash re-delivers the uncommitted tail; the engine (rebuilt from ClickHouse, see
// state.rebuild.ts) produces the same alerts with the same ids, which every sink collapses.
import type { Kafka, Producer } from 'kafkajs';
import type { ClickHouseClient } from '../core/clickhouse.ts';
import type { Config } from '../core/config.ts';
import { isoToMs } from '../core/iso.time.ts';
import { startHealthServer, type HealthServer } from '../core/health.server.ts';
import { idempotentProducerConfig, sendAll } from '../core/kafka.ts';
import { consumerClients } from '../core/kafka/consumer.clients.ts';
import { createConsumerRuntime, type InboundMessage } from '../core/kafka/consumer.runtime.ts';
import type { Service } from '../core/lifecycle.ts';
import type { Logger } from '../core/logger.ts';
import type { Registry } from '../core/metrics.ts';
import { decodeEvent } from '../schemas/event.decode.ts';
import { alertKey, type AlertV1 } from '../schemas/alert.v1.ts';
import { NO_INCIDENT } from '../schemas/signal.ts';
import type { AuditEvent } from '../schemas/event.ts';
import type { BaselineSnapshot } from './baselines/baseline.types.ts';
import { createDetectorMetrics } from './detector.metrics.ts';
import { IncidentGrouper } from './incident.grouper.ts';
import { PartitionWatermark } from './partition.watermark.ts';

/** A partition without new events for this long (wall time) no longer holds event time back. */
const PARTITION_IDLE_MS = 30_000;
const NO_MATCHES: readonly never[] = [];
import { rebuildState } from './state.rebuild.ts';

/** What the service needs from the rule engine (detector/rules). */
export interface MatchEngine<M extends EngineMatch> {
  process(event: AuditEvent): M[];
  /** Moves event time forward; returns matches that became due (absence steps timing out). */
  advanceWatermark(ms: number): M[];
  setBaselines(snapshot: BaselineSnapshot): void;
  /** How far back state matters: the longest rule window plus the allowed lateness (ms). */
  stateWindowMs(): number;
  /** Drops all state (before a rebuild). */
  reset(): void;
}

export interface EngineMatch {
  rule: { id: string; version: number };
  /** Alerts go to the alerts topic; signals only feed risk stories (counted here). */
  alert: boolean;
  evidence: readonly { event_id: string; ts: string; tenant_id: string; actor: { user_id: string } }[];
}

export interface DetectorDeps<M extends EngineMatch> {
  kafka: Kafka;
  clickhouse: ClickHouseClient;
  log: Logger;
  registry: Registry;
  engine: MatchEngine<M>;
  toAlert: (match: M, ctx: { incidentId: string; detectedAt: Date }) => AlertV1;
  /** A ClickHouse `events` row back into an event (for the state rebuild). */
  fromRow: (row: Record<string, unknown>) => AuditEvent;
  loadBaselines?: () => Promise<BaselineSnapshot>;
  onFatal?: (err: unknown) => void;
}

export interface DetectorService extends Service {
  healthPort(): number;
}

/**
 * Without a linger the broker answers a fetch as soon as one event is there (a minimum of one byte),
 * so the wait only paces the polling of idle partitions and adds nothing to an alert's latency. With
 * one, it holds the fetch until a megabyte is there or the linger passed: fewer, larger fetches.
 */
function fetchOptions(lingerMs: number): { maxWaitMs: number; minBytes?: number } {
  return lingerMs === 0 ? { maxWaitMs: 500 } : { maxWaitMs: lingerMs, minBytes: 1024 * 1024 };
}

export function createDetectorService<M extends EngineMatch>(config: Config, deps: DetectorDeps<M>): DetectorService {
  const { log, kafka, engine } = deps;
  const topic = config.topics.events;
  const metrics = createDetectorMetrics(deps.registry);
  const incidents = new IncidentGrouper(config.detector.incidentGapMs);
  let producer: Producer | null = null;
  let health: HealthServer | null = null;
  let reloadTimer: NodeJS.Timeout | null = null;
  let watermark = 0;
  const partitionTime = new PartitionWatermark(PARTITION_IDLE_MS);

  async function reloadBaselines(): Promise<void> {
    if (!deps.loadBaselines) return;
    try {
      const snapshot = await deps.loadBaselines();
      engine.setBaselines(snapshot);
      log.info({ computedAt: new Date(snapshot.computedAt || 0).toISOString() }, 'baselines loaded');
    } catch (err) {
      log.warn({ err }, 'could not load baselines; keeping the previous ones');
    }
  }

  async function rebuild(partitions: number[]): Promise<void> {
    const started = Date.now();
    engine.reset();
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [offsets] = await admin.fetchOffsets({ groupId: config.detector.groupId, topics: [topic] });
      const committed = new Map((offsets?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
      const cursors = partitions.map((partition) => ({ partition, committed: Math.max(0, committed.get(partition) ?? 0) }));
      await incidents.rebuild(deps.clickhouse, config.clickhouse.database, Date.now());
      const { replayed } = await rebuildState({
        ch: deps.clickhouse,
        database: config.clickhouse.database,
        topic,
        cursors,
        windowMs: engine.stateWindowMs(),
        nowMs: Date.now(),
        waitForIngestMs: config.detector.rebuildWaitMs,
        ingestCommitted: async () => {
          const [stored] = await admin.fetchOffsets({ groupId: config.ingest.groupId, topics: [topic] });
          return new Map((stored?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
        },
        log,
        replay: (row) => {
          const event = deps.fromRow(row);
          // Alerts from replayed events were produced before the restart: matches are dropped.
          engine.process(event);
          const ts = isoToMs(event.ts);
          if (ts > watermark) {
            watermark = ts;
            engine.advanceWatermark(watermark - config.detector.latenessMs);
          }
        },
      });
      metrics.rebuiltEvents.inc(replayed);
      log.info({ partitions, replayed, ms: Date.now() - started }, 'detector ready');
    } finally {
      await admin.disconnect();
    }
  }

  /** What the batch of each partition in progress raised; produced when the batch ends. */
  const raised = new Map<number, { alerts: AlertV1[]; signals: AlertV1[]; detectedAt: Date }>();

  function detect(message: InboundMessage, partition: number): void {
    const decoded = decodeEvent(message.value, config.event.maxBytes);
    // Ingest dead-letters invalid input; the detector only skips it.
    if (!decoded.ok) {
      metrics.skipped.inc({ reason: decoded.reason });
      return;
    }
    const event = decoded.event;
    const tsMs = isoToMs(event.ts);
    let released: readonly M[] = NO_MATCHES;
    let matches: readonly M[];
    try {
      // Timers due before this event fire first (an event past a deadline cannot cancel it).
      const wallMs = Date.now();
      partitionTime.observe(partition, tsMs, wallMs);
      const now = partitionTime.current(wallMs);
      if (now > watermark) released = engine.advanceWatermark((watermark = now) - config.detector.latenessMs);
      matches = engine.process(event);
    } catch (err) {
      // A rule bug must not stop detection for everyone: count it, log the event id, go on.
      metrics.engineErrors.inc();
      log.error({ err, event_id: event.event_id }, 'rule engine failed on an event; skipped');
      return;
    }
    // Most events raise nothing: no array is built for them.
    if (released.length > 0) raise(partition, released);
    if (matches.length > 0) raise(partition, matches);
  }

  function raise(partition: number, matches: readonly M[]): void {
    let out = raised.get(partition);
    if (!out) raised.set(partition, (out = { alerts: [], signals: [], detectedAt: new Date() }));
    for (const match of matches) {
      if (!match.alert) {
        // Signals open no incident: the story of an incident shows the user's signals around it.
        out.signals.push(deps.toAlert(match, { incidentId: NO_INCIDENT, detectedAt: out.detectedAt }));
        continue;
      }
      // The alert's id (computed once, by toAlert) opens or joins the incident. Its tenant, user and
      // time are those of the match's own last evidence: a match released by the watermark (an
      // absence step timing out) may surface while another user's event is processed.
      const alert = deps.toAlert(match, { incidentId: NO_INCIDENT, detectedAt: out.detectedAt });
      out.alerts.push({ ...alert, incident_id: incidents.assign(alert.tenant_id, alert.user_id, alert.alert_id, isoToMs(alert.ts)) });
    }
  }

  /** Produces what a batch raised; its offsets are committed once this resolved (acks from all replicas). */
  async function produce(partition: number): Promise<void> {
    const out = raised.get(partition);
    if (!out) return;
    // Taken out first: if the send fails, the batch is read again and raises them again.
    raised.delete(partition);
    const { alerts, signals } = out;
    const messages = (list: AlertV1[]) => list.map((a) => ({ key: alertKey(a), value: JSON.stringify(a), headers: { 'mcp-audit-rule': a.rule.id } }));
    await sendAll(producer!, {
      acks: -1,
      topicMessages: [
        ...(alerts.length > 0 ? [{ topic: config.topics.alerts, messages: messages(alerts) }] : []),
        ...(signals.length > 0 ? [{ topic: config.topics.signals, messages: messages(signals) }] : []),
      ],
    });
    for (const s of signals) metrics.signals.inc({ rule: s.rule.id });
    for (const a of alerts) metrics.alerts.inc({ rule: a.rule.id, severity: a.severity });
    if (alerts.length > 0) log.info({ alerts: alerts.map((a) => ({ rule: a.rule.id, user: a.user_id, alert_id: a.alert_id })) }, 'alerts raised');
  }

  const consumer = createConsumerRuntime(
    {
      name: 'detector',
      groupId: config.detector.groupId,
      topic,
      concurrency: config.consumer.concurrency,
      fetch: fetchOptions(config.detector.fetchLingerMs),
      // A batch is finished when its alerts are acknowledged; its offsets go out with the next
      // commit. A commit after every batch was two commit requests per fetch (56 a second at 2,000
      // events/s, more than the fetches), each holding up the next fetch; a crash now repeats at
      // most this interval of events, whose alerts come again with the same ids.
      commitIntervalMs: config.detector.commitIntervalMs,
      metricsPrefix: 'mcp_audit_detector',
    },
    {
      message(message, ticket) {
        detect(message, ticket.partition);
        return 'done';
      },
      endBatch: produce,
      assigned(partitions) {
        partitionTime.assign(partitions);
        log.info({ partitions }, 'detector joined its group; rebuilding state');
        return rebuild(partitions).catch((err: unknown) => {
          log.error({ err }, 'state rebuild failed; continuing with empty state');
        });
      },
    },
    { ...deps, kafka: consumerClients(config, deps.kafka) },
  );

  return {
    healthPort: () => health?.port ?? 0,

    async start() {
      producer = kafka.producer(idempotentProducerConfig);
      await reloadBaselines();
      reloadTimer = setInterval(() => void reloadBaselines(), config.detector.baselineReloadMs);
      await producer.connect();
      health = await startHealthServer({
        host: config.healthHost,
        port: config.detector.healthPort,
        registry: deps.registry,
        unhealthy: () => consumer.unhealthy(),
      });
      await consumer.start();
      setInterval(() => {
        incidents.expire(watermark);
        metrics.openIncidents.set(incidents.size());
      }, 10_000).unref();
      log.info({ topic, group: config.detector.groupId, healthPort: health.port }, 'detector started');
    },

    async stop() {
      if (reloadTimer) clearInterval(reloadTimer);
      await consumer.stop();
      await producer?.disconnect();
      await health?.close();
      log.info('detector stopped');
    },
  };
}
