// A multi-node KRaft Kafka cluster on this machine, made of the same instances as the one-node stack
// (kafka.process.ts): node i is broker and controller on its own ports and folder, all nodes share
// one cluster id and one controller quorum. Used by the scale-out test (test/scale/).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createKafka } from '../core/kafka.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { kafkaClusterId, startKafka, stopKafka, type KafkaInstance, type KafkaVersion } from './kafka.process.ts';
import { waitFor, type StopSignal } from './process.ts';

export interface KafkaClusterSpec {
  version: KafkaVersion;
  /** Folder of the cluster: `node-<id>/` per node and the cluster id. */
  dir: string;
  /** Broker and controller port of each node; node ids are 1..n in this order. */
  nodes: readonly { port: number; controllerPort: number }[];
  libsDir: string;
  /** Default 3 (or the node count if smaller). */
  replicationFactor?: number;
  /** Default one less than the replication factor (at least 1). */
  minInsyncReplicas?: number;
  /** Maximum heap per broker JVM. */
  maxHeap?: string;
}

/** The instances of a cluster; starting them with `startKafkaCluster`, one by one with `startKafka`. */
export function kafkaClusterInstances(spec: KafkaClusterSpec): KafkaInstance[] {
  const dir = resolve(spec.dir);
  const replicationFactor = spec.replicationFactor ?? Math.min(3, spec.nodes.length);
  const minInsyncReplicas = spec.minInsyncReplicas ?? Math.max(1, replicationFactor - 1);
  const clusterId = persistedClusterId(dir);
  const voters = spec.nodes.map((n, i) => ({ id: i + 1, controllerPort: n.controllerPort }));
  return spec.nodes.map((n, i) => ({
    version: spec.version,
    dir: join(dir, `node-${i + 1}`),
    port: n.port,
    controllerPort: n.controllerPort,
    libsDir: spec.libsDir,
    ...(spec.maxHeap ? { maxHeap: spec.maxHeap } : {}),
    cluster: { nodeId: i + 1, voters, replicationFactor, minInsyncReplicas, clusterId },
  }));
}

/** Bootstrap addresses of every node. */
export function clusterBrokers(nodes: readonly KafkaInstance[]): string[] {
  return nodes.map((n) => `127.0.0.1:${n.port}`);
}

/**
 * Starts every node at once (a node answers only after a majority of the controller quorum runs,
 * so one by one would wait forever on the first) and waits until all brokers are registered.
 */
export async function startKafkaCluster(nodes: readonly KafkaInstance[], log: Logger): Promise<void> {
  await Promise.all(nodes.map((n) => startKafka(n, log)));
  await waitForBrokers(nodes, nodes.length);
}

/** Waits until `count` brokers of the cluster are registered (a restarted node has rejoined). */
export async function waitForBrokers(nodes: readonly KafkaInstance[], count: number, timeoutMs = 180_000): Promise<void> {
  const admin = createKafka({ brokers: clusterBrokers(nodes), clientId: 'mcp-audit-cluster-probe' }, quiet).admin();
  try {
    await waitFor(`waiting for ${count} Kafka brokers`, async () => {
      try {
        await admin.connect();
        return (await admin.describeCluster()).brokers.length >= count;
      } catch {
        return false;
      }
    }, { timeoutMs, intervalMs: 500 });
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

export async function stopKafkaCluster(nodes: readonly KafkaInstance[], signal: StopSignal = 'SIGTERM'): Promise<void> {
  await Promise.all(nodes.map((n) => stopKafka(n, signal)));
}

/** One id for the life of the cluster's folder: a node formatted later must join the same cluster. */
function persistedClusterId(dir: string): string {
  const file = join(dir, 'cluster.id');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dir, { recursive: true });
  const id = kafkaClusterId();
  writeFileSync(file, `${id}\n`);
  return id;
}

/** The probe's connection errors while brokers start are expected; it reports only its timeout. */
const quiet = createLogger('silent', 'cluster-probe');
