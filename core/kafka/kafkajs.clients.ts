// The consumer runtime's client interfaces (kafka.clients.ts) implemented with kafkajs, on a client
// made by core/kafka.ts (createKafka: SASL, TLS, logging), so every consumer connects alike.
import type { Kafka } from 'kafkajs';
import { idempotentProducerConfig, sendAll } from '../kafka.ts';
import type { ConsumerClient, ConsumerOptions, KafkaClients, RecordProducer } from './kafka.clients.ts';

export function kafkajsClients(kafka: Kafka): KafkaClients {
  return { consumer: (options) => kafkajsConsumer(kafka, options), producer: () => kafkajsProducer(kafka) };
}

function kafkajsConsumer(kafka: Kafka, o: ConsumerOptions): ConsumerClient {
  const consumer = kafka.consumer({
    groupId: o.groupId,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: o.maxWaitMs,
    ...(o.minBytes ? { minBytes: o.minBytes } : {}),
    ...(o.maxBytesPerPartition ? { maxBytesPerPartition: o.maxBytesPerPartition } : {}),
    ...(o.maxBytes ? { maxBytes: o.maxBytes } : {}),
    ...(o.sessionTimeoutMs ? { sessionTimeout: o.sessionTimeoutMs } : {}),
  });
  const topic = o.topic;
  return {
    async start(eachBatch, events) {
      consumer.on(consumer.events.GROUP_JOIN, (e) => events.assigned((e.payload.memberAssignment[topic] ?? []) as number[]));
      consumer.on(consumer.events.CRASH, (e) => events.crashed(e.payload.error, e.payload.restart));
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        // Offsets are committed by the runtime only, explicitly, once the work is finished; and a
        // fetched offset is resolved only once handled, so a batch that fails is fetched again.
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: o.concurrency,
        eachBatch: ({ batch, resolveOffset, heartbeat, isRunning, isStale }) =>
          eachBatch({
            partition: batch.partition,
            highWatermark: batch.highWatermark,
            messages: batch.messages,
            resolve: resolveOffset,
            heartbeat,
            abandoned: () => !isRunning() || isStale(),
          }),
      });
    },
    commit: (offsets) => consumer.commitOffsets(offsets.map((c) => ({ topic, ...c }))),
    pause: () => {
      // Between a crash and kafkajs' own restart there is no group to pause; the runtime, stopping,
      // leaves whatever is fetched then untouched.
      try {
        consumer.pause([{ topic }]);
      } catch (err) {
        if (!(err instanceof Error && err.message.includes('consumer#run must be called first'))) throw err;
      }
    },
    disconnect: () => consumer.disconnect(),
  };
}

function kafkajsProducer(kafka: Kafka): RecordProducer {
  const producer = kafka.producer(idempotentProducerConfig);
  return {
    connect: () => producer.connect(),
    send: async (topic, messages) => {
      await sendAll(producer, { acks: -1, topicMessages: [{ topic, messages }] });
    },
    disconnect: () => producer.disconnect(),
  };
}

