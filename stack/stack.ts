// The local stack as one unit: the default Kafka and ClickHouse instances under the stack folder,
// and the `up`, `down` and `status` behind `mcp-audit stack`. Layout of the stack folder:
//   kafka-<version>/libs     jars from Maven Central (the install cache)
//   kafka-<version>/         config/, data/, logs/, kafka.pid of the default broker of that version
//   clickhouse/              config/, data/, logs/, clickhouse.pid of the default ClickHouse
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import {
  clickhousePaths,
  clickhousePid,
  clickhouseReady,
  clickhouseUrl,
  startClickHouse,
  stopClickHouse,
  type ClickHouseInstance,
} from './clickhouse.process.ts';
import { kafkaPaths, kafkaPid, kafkaReady, startKafka, stopKafka, type KafkaInstance, type KafkaVersion } from './kafka.process.ts';
import { createTopics, type TopicSpec } from './topics.ts';

export type { ClickHouseInstance, KafkaInstance, KafkaVersion, TopicSpec };
export { startKafka, stopKafka, startClickHouse, stopClickHouse, createTopics, clickhouseUrl };

export const KAFKA_VERSIONS: readonly KafkaVersion[] = ['3.9.2', '4.1.2'];

/** Folder of the jar cache of one Kafka version, shared by the default broker and test instances. */
export function kafkaLibsDir(stackDir: string, version: KafkaVersion): string {
  return join(resolve(stackDir), `kafka-${version}`, 'libs');
}

function kafkaInstanceOf(config: Config, version: KafkaVersion): KafkaInstance {
  return {
    version,
    dir: join(resolve(config.stack.dir), `kafka-${version}`),
    port: config.stack.kafkaPort,
    controllerPort: config.stack.kafkaControllerPort,
    libsDir: kafkaLibsDir(config.stack.dir, version),
  };
}

export function stackInstances(config: Config): { kafka: KafkaInstance; clickhouse: ClickHouseInstance } {
  return {
    kafka: kafkaInstanceOf(config, config.stack.kafkaVersion),
    clickhouse: {
      dir: join(resolve(config.stack.dir), 'clickhouse'),
      httpPort: config.stack.clickhouseHttpPort,
      tcpPort: config.stack.clickhouseTcpPort,
    },
  };
}

export function stackTopics(config: Config): TopicSpec[] {
  return [
    { name: config.topics.events, partitions: config.stack.eventsPartitions },
    // Dead letters are rare and read by people, in order: one partition is enough.
    { name: config.topics.eventsDlq, partitions: 1 },
    { name: config.topics.alerts, partitions: config.stack.eventsPartitions },
    { name: config.topics.alertsDlq, partitions: 1 },
    { name: config.topics.signals, partitions: config.stack.eventsPartitions },
  ];
}

/** Brokers of the other Kafka version in this stack folder that are still running (left from a version switch). */
function otherKafkaInstances(config: Config): KafkaInstance[] {
  return KAFKA_VERSIONS.filter((v) => v !== config.stack.kafkaVersion).map((v) => kafkaInstanceOf(config, v));
}

/** Installs on first use, starts what is not running, waits until both answer, creates the topics. Idempotent. */
export async function stackUp(config: Config, log: Logger): Promise<void> {
  const { kafka, clickhouse } = stackInstances(config);
  for (const other of otherKafkaInstances(config)) {
    if (kafkaPid(other) !== undefined) {
      log.info(`stopping Kafka ${other.version} (the stack is switching to ${kafka.version})`);
      await stopKafka(other);
    }
  }
  // Both start at once: the JVM's start-up and ClickHouse's are independent.
  const results = await Promise.allSettled([startClickHouse(clickhouse, log), startKafka(kafka, log)]);
  const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
  if (failed.length) throw new Error(failed.map((e) => e.message).join('\n'));
  await createTopics([`127.0.0.1:${kafka.port}`], stackTopics(config), log);
  log.info(
    { kafka: `127.0.0.1:${kafka.port}`, clickhouse: clickhouseUrl(clickhouse), topics: stackTopics(config).map((t) => t.name) },
    'stack is up',
  );
}

/** Stops only the processes this stack started (found through its pid files). */
export async function stackDown(config: Config, log: Logger): Promise<void> {
  const { kafka, clickhouse } = stackInstances(config);
  for (const k of [kafka, ...otherKafkaInstances(config)]) {
    const pid = await stopKafka(k);
    if (pid !== undefined) log.info({ servicePid: pid }, `stopped Kafka ${k.version}`);
    else if (k === kafka) log.info(`Kafka ${k.version} was not running`);
  }
  const pid = await stopClickHouse(clickhouse);
  log.info(pid !== undefined ? { servicePid: pid } : {}, pid !== undefined ? 'stopped ClickHouse' : 'ClickHouse was not running');
}

export interface ServiceStatus {
  name: string;
  /** A live process started by this stack (per its pid file). */
  running: boolean;
  /** Answers its readiness probe (Kafka: metadata; ClickHouse: /ping). */
  ready: boolean;
  pid?: number;
  /** Not started by this stack, but something answers on its port (another stack, a system service). */
  portHeldByOther?: boolean;
  address: string;
  dir: string;
  logs: string;
}

/** True when something accepts TCP connections on 127.0.0.1:port (within half a second). */
function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function stackStatus(config: Config): Promise<ServiceStatus[]> {
  const { kafka, clickhouse } = stackInstances(config);
  const out: ServiceStatus[] = [];
  for (const k of [kafka, ...otherKafkaInstances(config)]) {
    const pid = kafkaPid(k);
    if (k !== kafka && pid === undefined) continue; // other versions only when they run
    out.push({
      name: `kafka ${k.version}`,
      running: pid !== undefined,
      ready: pid !== undefined && (await kafkaReady(k.port)),
      ...(pid !== undefined ? { pid } : k === kafka && (await portAnswers(k.port)) ? { portHeldByOther: true } : {}),
      address: `127.0.0.1:${k.port} (controller 127.0.0.1:${k.controllerPort})`,
      dir: kafkaPaths(k).dir,
      logs: kafkaPaths(k).logsDir,
    });
  }
  const pid = clickhousePid(clickhouse);
  out.push({
    name: 'clickhouse',
    running: pid !== undefined,
    ready: pid !== undefined && (await clickhouseReady(clickhouse.httpPort)),
    ...(pid !== undefined ? { pid } : (await portAnswers(clickhouse.httpPort)) ? { portHeldByOther: true } : {}),
    address: `${clickhouseUrl(clickhouse)} (native tcp 127.0.0.1:${clickhouse.tcpPort})`,
    dir: clickhousePaths(clickhouse).dir,
    logs: clickhousePaths(clickhouse).logsDir,
  });
  return out;
}

/** One line per service, for people. */
export function formatStackStatus(services: ServiceStatus[]): string {
  const rows = services.map((s) => [
    s.name,
    s.running ? (s.ready ? 'running' : 'starting/unresponsive') : s.portHeldByOther ? 'stopped (port held by another process)' : 'stopped',
    s.pid !== undefined ? `pid ${s.pid}` : '-',
    s.address,
    `logs ${s.logs}`,
  ]);
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i]!.length))) ?? [];
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}
