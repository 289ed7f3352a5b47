// Creates the topics explicitly (the broker has auto.create.topics.enable=false). Idempotent:
// existing topics are left alone, except that a topic with fewer partitions than asked for is grown.
import type { Logger } from '../core/logger.ts';
import { createKafka, type KafkaConnection } from '../core/kafka.ts';
import { waitFor } from './process.ts';

export interface TopicSpec {
  name: string;
  partitions: number;
}

/** How new topics are replicated; the one-node stack's defaults are one replica. */
export interface TopicReplication {
  replicationFactor: number;
  /** Replicas an acks=all write needs; unset: the broker's default. */
  minInsyncReplicas?: number;
}

/** `kafka`: a configuration's connection (with its SASL and TLS), or only brokers (the local stack's plaintext listener). */
export async function createTopics(
  kafka: KafkaConnection | string[],
  topics: TopicSpec[],
  log: Logger,
  replication: TopicReplication = { replicationFactor: 1 },
): Promise<void> {
  const connection = Array.isArray(kafka) ? { brokers: kafka, clientId: 'mcp-audit-stack' } : kafka;
  const admin = createKafka(connection, log).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.name));
    if (missing.length) {
      await admin.createTopics({
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: replication.replicationFactor,
          ...(replication.minInsyncReplicas !== undefined
            ? { configEntries: [{ name: 'min.insync.replicas', value: String(replication.minInsyncReplicas) }] }
            : {}),
        })),
        // kafkajs's own wait asks one broker and fails when that broker has not heard of the topic
        // yet (UNKNOWN_TOPIC_OR_PARTITION on a cluster); the wait below retries until it has.
        waitForLeaders: false,
      });
      // Return only once every partition has a leader, so a producer started next never sees
      // LEADER_NOT_AVAILABLE.
      await waitFor('waiting for the new topics to have leaders', async () => {
        try {
          const { topics: meta } = await admin.fetchTopicMetadata({ topics: missing.map((t) => t.name) });
          return missing.every((t) => {
            const parts = meta.find((m) => m.name === t.name)?.partitions ?? [];
            return parts.length === t.partitions && parts.every((p) => p.leader >= 0);
          });
        } catch {
          return false;
        }
      }, { timeoutMs: 60_000, intervalMs: 100 });
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
