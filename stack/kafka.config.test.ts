import { describe, expect, it } from 'vitest';
import { renderServerProperties } from './kafka.config.ts';

const props = (text: string) => Object.fromEntries(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/=(.*)/s).slice(0, 2)));
const base = { version: '3.9.2' as const, port: 19092, controllerPort: 19093, dataDir: '/d', logsDir: '/l' };

describe('renderServerProperties', () => {
  it('makes one node with one replica of everything by default', () => {
    const p = props(renderServerProperties(base));
    expect(p['node.id']).toBe('1');
    expect(p['controller.quorum.voters']).toBe('1@127.0.0.1:19093');
    expect(p['offsets.topic.replication.factor']).toBe('1');
    expect(p['min.insync.replicas']).toBeUndefined();
  });

  it('makes node 2 of a 3-node cluster with the whole quorum and replicated internal topics', () => {
    const voters = [1, 2, 3].map((id) => ({ id, controllerPort: 29090 + id }));
    const p = props(renderServerProperties({ ...base, cluster: { nodeId: 2, voters, replicationFactor: 3, minInsyncReplicas: 2 } }));
    expect(p['node.id']).toBe('2');
    expect(p['controller.quorum.voters']).toBe('1@127.0.0.1:29091,2@127.0.0.1:29092,3@127.0.0.1:29093');
    expect(p['listeners']).toBe('PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093');
    expect(p['default.replication.factor']).toBe('3');
    expect(p['offsets.topic.replication.factor']).toBe('3');
    expect(p['transaction.state.log.min.isr']).toBe('2');
    expect(p['min.insync.replicas']).toBe('2');
  });
});
