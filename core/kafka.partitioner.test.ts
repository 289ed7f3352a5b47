// Our producers remember the partition of each key (core/kafka.ts keyMemo) instead of hashing it on
// every message: the partitions must stay exactly those of kafkajs' default (Java-compatible murmur2)
// partitioner, also when the partition count of a topic changes.
import { Partitioners, type PartitionerArgs } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { idempotentProducerConfig } from './kafka.ts';

const metadata = (n: number) => Array.from({ length: n }, (_, i) => ({ partitionId: i, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));

describe('the producers partitioner', () => {
  it('gives every key the partition of the default partitioner, before and after the topic grows', () => {
    const ours = idempotentProducerConfig.createPartitioner!();
    const theirs = Partitioners.DefaultPartitioner();
    const keys = Array.from({ length: 500 }, (_, i) => `tenant-${i % 7}:user-${i}`);
    for (const partitions of [6, 6, 12, 1]) {
      for (const key of [...keys, ...keys]) {
        const args = (): PartitionerArgs => ({ topic: 'events', partitionMetadata: metadata(partitions), message: { key, value: 'x' } });
        expect(ours(args())).toBe(theirs(args()));
      }
    }
  });

  it('keeps an explicit partition and spreads messages without a key', () => {
    const ours = idempotentProducerConfig.createPartitioner!();
    expect(ours({ topic: 'events', partitionMetadata: metadata(6), message: { key: 'k', value: 'x', partition: 4 } })).toBe(4);
    const seen = new Set(Array.from({ length: 60 }, () => ours({ topic: 'events', partitionMetadata: metadata(6), message: { value: 'x' } })));
    expect(seen.size).toBe(6);
  });
});
