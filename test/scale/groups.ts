// What Kafka says about the cluster while the test runs: which member of a consumer group owns
// which partitions, where a group has committed, which broker leads a partition and its in-sync
// replicas, and which partition a user's key hashes to.
import { AssignerProtocol, Partitioners, type Admin } from 'kafkajs';

/** Partitions of `topic` per member client id (members of a group started with distinct client ids). */
export async function groupAssignment(admin: Admin, groupId: string, topic: string): Promise<{ state: string; members: Record<string, number[]> }> {
  const { groups } = await admin.describeGroups([groupId]);
  const g = groups[0]!;
  const members: Record<string, number[]> = {};
  for (const m of g.members) {
    const decoded = m.memberAssignment.length ? AssignerProtocol.MemberAssignment.decode(m.memberAssignment) : null;
    members[m.clientId] = [...(decoded?.assignment[topic] ?? [])].sort((a, b) => a - b);
  }
  return { state: g.state, members };
}

/** Committed offset of `groupId` per partition of `topic` (-1 where nothing was committed). */
export async function committedOffsets(admin: Admin, groupId: string, topic: string): Promise<Map<number, number>> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map((offsets?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
}

/** End offset (high watermark) per partition of `topic`. */
export async function endOffsets(admin: Admin, topic: string): Promise<Map<number, number>> {
  return new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
}

export interface PartitionInfo {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

export async function partitionInfo(admin: Admin, topic: string): Promise<PartitionInfo[]> {
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  return topics[0]!.partitions
    .map((p) => ({ partition: p.partitionId, leader: p.leader, replicas: [...p.replicas].sort(), isr: [...p.isr].sort() }))
    .sort((a, b) => a.partition - b.partition);
}

/** The partition the producer's partitioner (murmur2, as the Java client) picks for `key`. */
export function partitionOf(key: string, partitions: number): number {
  const partitionMetadata = Array.from({ length: partitions }, (_, i) => ({ partitionId: i, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 }));
  return Partitioners.DefaultPartitioner()({ topic: 'any', partitionMetadata, message: { key, value: null } });
}
