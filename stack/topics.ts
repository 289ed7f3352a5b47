// Creates the topics explicitly (the broker has auto.create.topics.enable=false). Idempotent:
// existing topics are left alone, except that a topic with fewer partitions than asked for is grown.
import type { Logger } from '../core/logger.ts';
import { createKafka, type KafkaConnection } from '../core/kafka.ts';

export interface TopicSpec {
  name: string;
  partitions: number;
}

/** `kafka`: a configuration's connection (with its SASL and TLS), or only brokers (the local stack's plaintext listener). */
export async function createTopics(kafka: KafkaConnection | string[], topics: TopicSpec[], log: Logger): Promise<void> {
  const connection = Array.isArray(kafka) ? { brokers: kafka, clientId: 'mcp-audit-stack' } : kafka;
  const admin = createKafka(connection, log).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.name));
    if (missing.length) {
      await admin.createTopics({
        // Single broker: one replica is all there can be.
        topics: missing.map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor: 1 })),
        // Return only once every partition has a leader, so a producer started next never sees
        // LEADER_NOT_AVAILABLE.
        waitForLeaders: true,
      });
      log.info({ topics: missing }, 'created topics');
    }
    const present = topics.filter((t) => existing.has(t.name));
    if (!present.length) return;
    const metadata = await admin.fetchTopicMetadata({ topics: present.map((t) => t.name) });
    for (const t of present) {
      const have = metadata.topics.find((m) => m.name === t.name)?.partitions.length ?? 0;
      if (have < t.partitions) {
        await admin.createPartitions({ topicPartitions: [{ topic: t.name, count: t.partitions }] });
        log.info({ topic: t.name, from: have, to: t.partitions }, 'added partitions');
      } else if (have > t.partitions) {
        // Kafka cannot remove partitions; say so instead of pretending the setting took effect.
        log.warn({ topic: t.name, have, wanted: t.partitions }, 'topic has more partitions than configured; leaving it');
      }
    }
  } finally {
    await admin.disconnect();
  }
}
