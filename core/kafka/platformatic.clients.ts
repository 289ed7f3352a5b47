// The consumer runtime's client interfaces (kafka.clients.ts) implemented with @platformatic/kafka,
// the consumers' default client (MCP_AUDIT_KAFKA_CONSUMER_CLIENT=platformatic; BENCHMARKS.md says
// why, and `kafkajs` chooses the other). The library's own MessagesStream turns every record into
// a message object with its own commit closure and header map and moves the fetch position as soon
// as a record is read; the runtime needs the opposite (a batch per partition, the position moved
// only once the batch is handled, so a failed batch is fetched again). So this file keeps the
// library's group membership (join, sync, heartbeats on its own timer, rejoin on a rebalance) and
// its requests (metadata, fetch, offset fetch), sends its own offset commits (see `commit`: the
// library's rejoins on a refused one), and runs the fetch loop itself, as kafkajs does:
//
//   join -> positions from the committed offsets (the earliest offset where the group has none)
//     -> fetch from each partition's leader -> one batch per partition, `concurrency` at a time
//     -> a partition's position moves past what its batch resolved -> fetch again
//   a new generation (rebalance) abandons the batches in progress and starts over from the committed
//   offsets; a failure (a batch or a request) is reported as a restart and fetched again from the
//   resolved positions, as kafkajs retries; a group lost for good (a failed rejoin) is joined again.
//   A failure no retry can fix (a wrong password, a denied right: platformatic.errors.ts) ends the
//   library's own retries at once, rejects start() or crashes the consumer for good, told as kafkajs'.
import { Consumer, IS_CONTROL, ListOffsetTimestamps, offsetCommitV8, Producer, type ConnectionPoolEventPayload, type SASLOptions } from '@platformatic/kafka';
import type { ConnectionOptions } from 'node:tls';
import { sleep } from '../lifecycle.ts';
import { kafkaSecurityOptions, type KafkaConnection } from '../kafka.security.ts';
import { explainPlatformaticError, finalFailure } from './platformatic.errors.ts';
import type { ConsumerClient, ConsumerEvents, ConsumerOptions, FetchedBatch, InboundMessage, KafkaClients, RecordProducer } from './kafka.clients.ts';

/** Pause after a failed fetch or batch before fetching again (kafkajs' first retry waits 300 ms, then longer). */
const RETRY_DELAY_MS = 1_000;
/** The library's own delays between retries of a request: its default for the consumer, kafkajs' first one for the producer. */
const CONSUMER_RETRY_DELAY_MS = 1_000;
const PRODUCER_RETRY_DELAY_MS = 300;
/** kafkajs' defaults, so both clients fetch alike unless the runtime sets them. */
const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
const DEFAULT_MAX_BYTES_PER_PARTITION = 1024 * 1024;
const DEFAULT_SESSION_TIMEOUT_MS = 30_000;
const REBALANCE_TIMEOUT_MS = 60_000;
/**
 * A member learns that the group is rebalancing from its next heartbeat, and a joining member waits
 * for that. At 3 s (kafkajs' default) the first ingest worker read every partition alone for up to
 * 3 s after the second had joined, work the rebalance then had read again: 31,366 duplicates of
 * 300,000 events in one bench:ingest start, a median of 1,176 over seven starts at 1 s. At 100 ms
 * the second worker was in the group 0.27 s sooner (1.71-1.77 s after the spawn against 1.95-2.08 s,
 * four starts each), but the runs took no less time in all, so 1 s it stays.
 */
const HEARTBEAT_INTERVAL_MS = 1_000;
/** Broker error code of a fetch position outside the log (deleted by retention): restart from the earliest offset. */
const OFFSET_OUT_OF_RANGE = 1;

export function platformaticClients(connection: KafkaConnection): KafkaClients {
  return { consumer: (options) => platformaticConsumer(connection, options), producer: () => platformaticProducer(connection) };
}

/** Connection settings: brokers, client id, and the same TLS and SASL settings kafkajs gets (kafka.security.ts). */
function baseOptions(c: KafkaConnection) {
  const { ssl, sasl } = kafkaSecurityOptions(c);
  return {
    clientId: c.clientId,
    bootstrapBrokers: c.brokers,
    ...(ssl ? { tls: ssl as ConnectionOptions } : {}),
    ...(sasl && c.sasl ? { sasl: { mechanism: c.sasl.mechanism.toUpperCase(), username: c.sasl.username, password: c.sasl.password } as SASLOptions } : {}),
  };
}

/**
 * The library retries a failed connection however it failed (its NetworkError around a SASL refusal
 * is retriable), up to MAX_SAFE_INTEGER times for the producer. Its retry delay sees each failure:
 * one no retry can fix is kept and the client closed, which fails the call waiting on those retries.
 */
function failFast(c: KafkaConnection, delayMs: number, close: () => Promise<void>) {
  // Made only once a request was answered: a TLS connection the library counts as made may still be
  // refused by the broker right after (TLS 1.3 checks the client certificate after the client's handshake).
  let connectedOnce = false;
  /** What the last connection that failed said: a closed connection's only trace of the broker's TLS alert. */
  let connectionError: unknown = null;
  let failure: unknown = null;
  const judge = (err: unknown) => finalFailure(err, c, connectedOnce, connectionError);
  return {
    retryDelay: (_client: object, _operation: string, _attempt: number, _retries: number, error: Error) => {
      failure ??= judge(error);
      if (failure) setImmediate(() => void close().catch(() => {}));
      return delayMs;
    },
    /** For the client's `client:broker:connect`: keeps the error the connection fails with. */
    watch: ({ connection }: ConnectionPoolEventPayload) => void connection.on('error', (err: unknown) => (connectionError = err)),
    /** A request was answered: from now on a TLS failure is a broker going away. */
    answered: () => void (connectedOnce = true),
    /** The failure no retry can fix, explained; or, when there is none, `err` itself as final or not. */
    final: (err: unknown): unknown => failure ?? (failure = judge(err)),
    /** Why a start failed: the failure no retry can fix, else the error, explained where a setting caused it. */
    ofStart: (err: unknown): unknown => failure ?? explainPlatformaticError(err, c, true),
  };
}

type FetchRequestPartition = Parameters<Consumer['fetch']>[0]['topics'][number]['partitions'][number];

interface PartitionBatch {
  partition: number;
  highWatermark: string;
  messages: InboundMessage[];
}

function platformaticConsumer(c: KafkaConnection, o: ConsumerOptions): ConsumerClient {
  const topic = o.topic;
  const failures = failFast(c, CONSUMER_RETRY_DELAY_MS, () => consumer.close());
  const consumer = new Consumer({
    ...baseOptions(c),
    retryDelay: failures.retryDelay,
    groupId: o.groupId,
    // Offsets are committed by the runtime only, explicitly, once the work is finished.
    autocommit: false,
    sessionTimeout: o.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
    rebalanceTimeout: REBALANCE_TIMEOUT_MS,
    heartbeatInterval: HEARTBEAT_INTERVAL_MS,
    // A fetch may be held by the broker for maxWaitMs; a request must be allowed longer than that.
    timeout: o.maxWaitMs + 5_000,
  });
  const fetchOptions = {
    maxWaitTime: o.maxWaitMs,
    minBytes: o.minBytes ?? 1,
    maxBytes: o.maxBytes ?? DEFAULT_MAX_BYTES,
  };
  const partitionMaxBytes = o.maxBytesPerPartition ?? DEFAULT_MAX_BYTES_PER_PARTITION;
  let running = false;
  /** Counts assignments (and restarts): a batch of an older one is abandoned. */
  let generation = 0;
  let assignment: number[] = [];
  /** Next offset to fetch per assigned partition, for `generation`; null until read from the committed offsets. */
  let positions: Map<number, number> | null = null;
  let rejoin = false;
  let loop: Promise<void> | null = null;
  let wakeLoop: (() => void) | null = null;
  const wake = () => {
    wakeLoop?.();
    wakeLoop = null;
  };
  const idle = (ms: number) => Promise.race([sleep(ms), new Promise<void>((r) => (wakeLoop = r))]);

  async function startPositions(partitions: number[]): Promise<Map<number, number>> {
    const committed = (await consumer.listCommittedOffsets({ topics: [{ topic, partitions }] })).get(topic) ?? [];
    const missing = partitions.filter((p) => (committed[p] ?? -1n) < 0n);
    // A group without offsets starts at the beginning of the topic (kafkajs: fromBeginning).
    const earliest = missing.length > 0 ? ((await consumer.listOffsets({ topics: [topic], timestamp: ListOffsetTimestamps.EARLIEST })).get(topic) ?? []) : [];
    return new Map(partitions.map((p) => [p, Number((committed[p] ?? -1n) >= 0n ? committed[p] : (earliest[p] ?? 0n))]));
  }

  /** One fetch from every leader of the assigned partitions; an out-of-range position moves to the log start. */
  async function fetchBatches(from: Map<number, number>): Promise<PartitionBatch[]> {
    const metadata = await consumer.metadata({ topics: [topic] });
    const t = metadata.topics.get(topic);
    if (!t) throw new Error(`topic ${topic} not found`);
    const byLeader = new Map<number, FetchRequestPartition[]>();
    for (const [partition, offset] of from) {
      const leader = t.partitions[partition]!.leader;
      if (!byLeader.has(leader)) byLeader.set(leader, []);
      byLeader.get(leader)!.push({ partition, fetchOffset: BigInt(offset), partitionMaxBytes, currentLeaderEpoch: -1, lastFetchedEpoch: -1 });
    }
    const responses = await Promise.all(
      [...byLeader].map(([node, partitions]) =>
        consumer.fetch({ ...fetchOptions, node, topics: [{ topicId: t.id, partitions }] }).catch((err: unknown) => {
          const response = (err as { response?: Awaited<ReturnType<Consumer['fetch']>> }).response;
          const outOfRange = response?.responses.flatMap((r) => r.partitions.filter((p) => p.errorCode === OFFSET_OUT_OF_RANGE)) ?? [];
          if (outOfRange.length === 0) throw err;
          for (const p of outOfRange) from.set(p.partitionIndex, Number(p.logStartOffset));
          return null;
        }),
      ),
    );
    const batches: PartitionBatch[] = [];
    for (const response of responses) {
      for (const p of response?.responses.flatMap((r) => r.partitions) ?? []) {
        const next = from.get(p.partitionIndex);
        // A partition left over in the broker's incremental fetch session but not asked for now.
        if (next === undefined || !p.records) continue;
        const messages: InboundMessage[] = [];
        let last = -1;
        for (const batch of p.records) {
          // Offsets stay far below 2^53, so plain numbers; one string per message, as kafkajs hands them over.
          const first = Number(batch.firstOffset);
          last = first + batch.lastOffsetDelta;
          if (batch.attributes & IS_CONTROL) continue;
          for (const r of batch.records) {
            const offset = first + r.offsetDelta;
            if (offset >= next) messages.push({ key: r.key ?? null, value: r.value ?? null, offset: String(offset) });
          }
        }
        // Only transaction markers (or records before the position): step past them.
        if (messages.length === 0 && last >= next) from.set(p.partitionIndex, last + 1);
        if (messages.length > 0) batches.push({ partition: p.partitionIndex, highWatermark: String(p.highWatermark), messages });
      }
    }
    return batches;
  }

  /** The batches, `concurrency` at a time; a partition's position moves past what its batch resolved. */
  async function handleBatches(batches: PartitionBatch[], eachBatch: (batch: FetchedBatch) => Promise<void>, gen: number, from: Map<number, number>): Promise<void> {
    let next = 0;
    let failure: { err: unknown } | null = null;
    const worker = async () => {
      while (next < batches.length && !failure) {
        const b = batches[next++]!;
        let resolved: number | null = null;
        try {
          await eachBatch({
            ...b,
            resolve: (offset) => void (resolved = Number(offset)),
            // The library heartbeats on its own timer, whatever the fetch loop does.
            heartbeat: () => Promise.resolve(),
            abandoned: () => !running || gen !== generation,
          });
        } catch (err) {
          failure ??= { err };
        }
        if (resolved !== null && gen === generation) from.set(b.partition, resolved + 1);
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.concurrency, batches.length) }, worker));
    if (failure) throw (failure as { err: unknown }).err;
  }

  async function run(eachBatch: (batch: FetchedBatch) => Promise<void>, events: ConsumerEvents): Promise<void> {
    while (running) {
      const gen = generation;
      try {
        if (rejoin) {
          rejoin = false;
          await consumer.joinGroup({});
          continue;
        }
        if (assignment.length === 0) {
          await idle(o.maxWaitMs);
          continue;
        }
        const from = positions ?? (await startPositions(assignment));
        if (gen !== generation) continue;
        positions = from;
        const batches = await fetchBatches(from);
        if (gen !== generation || !running) continue;
        await handleBatches(batches, eachBatch, gen, from);
      } catch (err) {
        if (!running) break;
        const final = failures.final(err);
        if (final) {
          running = false;
          events.crashed(final, false);
          break;
        }
        // As kafkajs retries a failed fetch or batch: report it, wait, and fetch again from the
        // positions the handled batches resolved, so a failed batch is read again without a
        // rebalance. Only the library's 'error' (its rejoin failed) makes this loop join again:
        // a consumer merely between generations is rejoining already, and a second JoinGroup
        // from the leader would start yet another rebalance.
        events.crashed(err, true);
        await idle(RETRY_DELAY_MS);
      }
    }
  }

  return {
    async start(eachBatch, events) {
      consumer.on('consumer:group:join', (e) => {
        generation++;
        positions = null;
        assignment = [...(e.assignments?.find((a) => a.topic === topic)?.partitions ?? [])].sort((a, b) => a - b);
        events.assigned([...assignment]);
        wake();
      });
      // A rejoin the library started itself (after a heartbeat told it of a rebalance) that failed:
      // it stops heartbeating, so the loop joins again.
      consumer.on('error', (err: unknown) => {
        if (!running) return;
        const final = failures.final(err);
        if (final) {
          running = false;
          wake();
          events.crashed(final, false);
          return;
        }
        events.crashed(err, true);
        rejoin = true;
        wake();
      });
      consumer.on('client:broker:connect', failures.watch);
      consumer.topics.track(topic);
      running = true;
      try {
        // As kafkajs' subscribe: a topic that does not exist fails the start (after the library's retries).
        await consumer.metadata({ topics: [topic] });
        failures.answered();
        await consumer.joinGroup({});
      } catch (err) {
        running = false;
        throw failures.ofStart(err);
      }
      loop = run(eachBatch, events);
    },
    async commit(offsets) {
      // Not the library's commit: when the broker answers that the group is rebalancing, that one
      // joins the group itself, beside the join its heartbeat starts. The second JoinGroup, from
      // the leader of a group already stable again, starts another rebalance, which fails the
      // other member's commit, which joins again: a storm of rebalances that kept ingest from
      // making progress for seconds (librdkafka stopped rejoining on a commit's error for the same
      // reason). Here a failed commit just fails; the runtime offers its offsets again, and the
      // heartbeat alone rejoins. OffsetCommit v8 is in every broker since Kafka 2.4.
      const member = consumer.memberId;
      if (!member) throw new Error(`not a member of group ${o.groupId} yet; offsets not committed`);
      const node = await consumer.findGroupCoordinator();
      const connection = (await consumer.connectToBrokers([node])).get(node);
      if (!connection) throw new Error(`no connection to the coordinator (broker ${node}) of group ${o.groupId}`);
      const partitions = offsets.map((x) => ({ partitionIndex: x.partition, committedOffset: BigInt(x.offset), committedLeaderEpoch: -1, committedMetadata: null }));
      await offsetCommitV8.api.async(connection, o.groupId, consumer.generationId, member, null, [{ name: topic, partitions }]);
    },
    pause() {
      running = false;
      wake();
    },
    async disconnect() {
      running = false;
      wake();
      await loop;
      await consumer.close();
    },
  };
}

function platformaticProducer(c: KafkaConnection): RecordProducer {
  // Idempotent with acks from all in-sync replicas, as the kafkajs producer (core/kafka.ts): a retried
  // request is never written twice; murmur2 of the key picks the partition, as Java's client does.
  const failures = failFast(c, PRODUCER_RETRY_DELAY_MS, () => producer.close(true));
  const producer = new Producer({ ...baseOptions(c), idempotent: true, acks: -1, retries: Number.MAX_SAFE_INTEGER, retryDelay: failures.retryDelay });
  producer.on('client:broker:connect', failures.watch);
  const bytes = (v: Buffer | string | null) => (v === null ? undefined : typeof v === 'string' ? Buffer.from(v) : v);
  return {
    connect: async () => {
      await producer.metadata({ topics: [] }).catch((err: unknown) => Promise.reject(failures.ofStart(err)));
      failures.answered();
    },
    send: async (topic, messages) => {
      await producer.send({
        messages: messages.map((m) => ({
          topic,
          key: bytes(m.key),
          value: bytes(m.value),
          headers: new Map(Object.entries(m.headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])),
        })),
      }).catch((err: unknown) => Promise.reject(failures.final(err) ?? err));
      failures.answered();
    },
    disconnect: () => producer.close(),
  };
}
