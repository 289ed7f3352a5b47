// kafkajs client factory: the one place a Kafka client is made, so every role connects with the same
// security settings (core/kafka.security.ts). kafkajs logs through its own logger; we route it into
// pino so every line is JSON and goes through the same redaction.
import {
  Kafka,
  Partitioners,
  logLevel,
  type AdminConfig,
  type ConsumerConfig,
  type ICustomPartitioner,
  type KafkaConfig,
  type LogEntry,
  type Message,
  type Producer,
  type ProducerBatch,
  type ProducerConfig,
  type RecordMetadata,
  type TopicMessages,
} from 'kafkajs';
import { explainKafkaError, kafkaSecurityOptions, type KafkaConnection } from './kafka.security.ts';
import type { Logger } from './logger.ts';

export type { KafkaConnection };

let timerWarningQuieted = false;

/**
 * kafkajs 2.2.4 schedules timers with negative delays, which Node 24 reports as a warning on every
 * run; Node clamps them to 1 ms as kafkajs expects, so that one warning is noise. Others still print.
 */
export function quietKafkajsTimerWarning(): void {
  if (timerWarningQuieted) return;
  timerWarningQuieted = true;
  process.removeAllListeners('warning');
  process.on('warning', (w) => {
    if (w.name !== 'TimeoutNegativeWarning') process.stderr.write(`${w.name}: ${w.message}\n`);
  });
}

/** Timeouts and retries for a caller that must not wait (the stack's readiness probe). */
export type KafkaTuning = Pick<KafkaConfig, 'connectionTimeout' | 'requestTimeout' | 'retry'>;

/** A client whose producers, consumers and admins fail to connect with errors that name the setting to fix. */
class ExplainingKafka extends Kafka {
  readonly #connection: KafkaConnection;

  constructor(config: KafkaConfig, connection: KafkaConnection) {
    super(config);
    this.#connection = connection;
  }

  override producer(config?: ProducerConfig) {
    return this.#explained(super.producer(config));
  }

  override consumer(config: ConsumerConfig) {
    return this.#explained(super.consumer(config));
  }

  override admin(config?: AdminConfig) {
    return this.#explained(super.admin(config));
  }

  #explained<T extends { connect(): Promise<void> }>(client: T): T {
    const connect = client.connect.bind(client);
    client.connect = () => connect().catch((err: unknown) => Promise.reject(explainKafkaError(err, this.#connection)));
    return client;
  }
}

export function createKafka(opts: KafkaConnection, log: Logger, tuning: KafkaTuning = {}): Kafka {
  quietKafkajsTimerWarning();
  if (opts.sasl?.mechanism === 'plain' && !opts.tls) warnPlainOnce(log);
  return new ExplainingKafka(
    {
      clientId: opts.clientId,
      brokers: opts.brokers,
      ...kafkaSecurityOptions(opts),
      // Reconnects are handled by kafkajs itself; keep its own retries modest so a dead broker is
      // reported in logs within seconds instead of minutes.
      retry: { initialRetryTime: 300, retries: 8 },
      ...tuning,
      logLevel: logLevel.WARN,
      logCreator: () => (entry: LogEntry) => {
        const { message, ...rest } = entry.log;
        // kafkajs logs every error response at ERROR, even the transient ones it retries (a group
        // coordinator still loading, a leader moving); what it finally gives up on reaches the caller.
        const transient = entry.namespace === 'Connection' && message.startsWith('Response ');
        const level = entry.level <= logLevel.ERROR && !transient ? 'error' : entry.level <= logLevel.WARN ? 'warn' : 'debug';
        log[level]({ kafka: entry.namespace, ...rest }, message);
      },
    },
    opts,
  );
}

let plainWarned = false;
function warnPlainOnce(log: Logger): void {
  if (plainWarned) return;
  plainWarned = true;
  log.warn('MCP_AUDIT_KAFKA_SASL_MECHANISM=plain without MCP_AUDIT_KAFKA_TLS sends the Kafka password unencrypted');
}

/**
 * Producer settings for every producer of ours. Idempotence makes the broker drop a duplicate
 * caused by a retried request; it needs one request in flight and unbounded retries (a producer
 * that gave up and re-sent later would start a new sequence and could write twice). The default
 * partitioner is the Java client's murmur2, so a key lands in the same partition from any language.
 */
export const idempotentProducerConfig: ProducerConfig = {
  idempotent: true,
  maxInFlightRequests: 1,
  allowAutoTopicCreation: false,
  createPartitioner: () => rememberingPartitions(keyMemo(Partitioners.DefaultPartitioner())),
  retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10_000 },
};

/** The partition each message was last given by a producer made with `idempotentProducerConfig`. */
const partitionOfMessage = new WeakMap<Message, number>();

/** Keys whose partition a producer keeps, per topic; past this the memo starts over (bounded memory). */
const KEY_MEMO_MAX = 100_000;

/**
 * The partition of a string key depends only on the key and the topic's partition count, and
 * kafkajs computes murmur2 in JavaScript with emulated 64-bit arithmetic on every message; events
 * are keyed by user, so a producer sees the same keys again and again and looks them up instead.
 */
function keyMemo(partitioner: ReturnType<ICustomPartitioner>): ReturnType<ICustomPartitioner> {
  const byTopic = new Map<string, { partitions: number; keys: Map<string, number> }>();
  return (args) => {
    const { message, topic, partitionMetadata } = args;
    if (typeof message.key !== 'string' || (message.partition !== undefined && message.partition !== null)) return partitioner(args);
    let memo = byTopic.get(topic);
    if (!memo || memo.partitions !== partitionMetadata.length || memo.keys.size >= KEY_MEMO_MAX) {
      byTopic.set(topic, (memo = { partitions: partitionMetadata.length, keys: new Map() }));
    }
    let partition = memo.keys.get(message.key);
    if (partition === undefined) memo.keys.set(message.key, (partition = partitioner(args)));
    return partition;
  };
}

function rememberingPartitions(partitioner: ReturnType<ICustomPartitioner>): ReturnType<ICustomPartitioner> {
  return (args) => {
    const partition = partitioner(args);
    partitionOfMessage.set(args.message, partition);
    return partition;
  };
}

/** A send that kept losing partitions this many times in a row is reported instead of repeated forever. */
const MAX_PARTIAL_SENDS = 20;

/**
 * `producer.sendBatch`, but resolved only when every message's partition was acknowledged.
 *
 * kafkajs 2.2.4 (sendMessages.js) remembers, across the retries of one send, which *brokers* have
 * answered, and on a retry skips every broker that already answered. When a broker dies or stops
 * answering, its partitions move to brokers that answered for their own partitions in the first
 * attempt, so the retry sends nothing for the moved partitions and the send resolves as if they
 * were written: the messages are silently lost (3 of 4,966 events in a scale run with one of three
 * brokers SIGKILLed; test/scale/producer.failover.scale.ts shows it every time with a frozen one).
 * The result lists one entry per acknowledged partition, so the messages of the partitions missing
 * from it are sent again. Their idempotent sequence numbers were rolled back when the first attempt
 * failed, so a message the dead broker had written after all is dropped by the broker as a duplicate.
 * Needs a producer made with `idempotentProducerConfig`, whose partitioner remembers the partitions.
 */
export async function sendAll(producer: Producer, batch: ProducerBatch & { topicMessages: TopicMessages[] }): Promise<RecordMetadata[]> {
  const acked: RecordMetadata[] = [];
  let pending = batch.topicMessages;
  for (let attempt = 1; ; attempt++) {
    const result = await producer.sendBatch({ ...batch, topicMessages: pending });
    acked.push(...result);
    const written = new Set(result.map((r) => `${r.topicName}\0${r.partition}`));
    pending = pending
      .map(({ topic, messages }) => ({
        topic,
        messages: messages.filter((m) => {
          const partition = m.partition ?? partitionOfMessage.get(m);
          if (partition === undefined) throw new Error('sendAll needs a producer made with idempotentProducerConfig');
          return !written.has(`${topic}\0${partition}`);
        }),
      }))
      .filter((t) => t.messages.length > 0);
    if (pending.length === 0) return acked;
    if (attempt >= MAX_PARTIAL_SENDS) {
      throw new Error(`Kafka acknowledged only part of a send ${attempt} times; ${pending.reduce((n, t) => n + t.messages.length, 0)} messages unsent`);
    }
  }
}
