// Starts, probes and stops one local Kafka instance (KRaft, single node, 127.0.0.1): installs the
// jars on first use, writes its config, formats its storage once, runs the JVM detached and waits
// until the broker answers metadata requests.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createKafka } from '../core/kafka.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { renderLog4j1, renderLog4j2, renderServerProperties, type ExtraListeners, type KafkaClusterNode } from './kafka.config.ts';
import { ensureKafkaInstalled, kafkaMajor, type KafkaVersion } from './kafka.install.ts';
import {
  portOpen,
  runningPid,
  spawnDetached,
  stopProcess,
  tail,
  waitFor,
  withLock,
  type StopSignal,
} from './process.ts';

export type { KafkaVersion };

export interface KafkaInstance {
  version: KafkaVersion;
  /** Folder of this instance: config, data, logs and pid file. */
  dir: string;
  port: number;
  controllerPort: number;
  /** Where the jars are cached; defaults to `<dir>/libs`. Test instances point at the shared cache. */
  libsDir?: string;
  /** Secured listeners beside PLAINTEXT (tests of secured clients); readiness is still probed on `port`. */
  extra?: ExtraListeners;
  /** More `kafka-storage format` arguments, e.g. `--add-scram` credentials that exist from the first start. */
  formatArgs?: string[];
  /** Set for a node of a multi-node cluster (stack/kafka.cluster.ts); every node formats with `clusterId`. */
  cluster?: KafkaClusterNode & { clusterId: string };
  /** Maximum JVM heap (`-Xmx`), default 1g; several brokers on one machine each take less. */
  maxHeap?: string;
}

const execFileAsync = promisify(execFile);
const READY_TIMEOUT_MS = 180_000;

/** Heap and GC as in Kafka's own start script, with a heap that fits a developer machine. */
const jvmOpts = (inst: KafkaInstance) => [
  '-Xms256m',
  `-Xmx${inst.maxHeap ?? '1g'}`,
  '-XX:+UseG1GC',
  '-XX:MaxGCPauseMillis=20',
  '-XX:InitiatingHeapOccupancyPercent=35',
  '-XX:+ExplicitGCInvokesConcurrent',
  '-Djava.awt.headless=true',
];

export function kafkaPaths(inst: KafkaInstance) {
  const dir = resolve(inst.dir);
  const configDir = join(dir, 'config');
  const major = kafkaMajor(inst.version);
  return {
    dir,
    libsDir: resolve(inst.libsDir ?? join(dir, 'libs')),
    configDir,
    serverProperties: join(configDir, 'server.properties'),
    logConfig: join(configDir, major === 3 ? 'log4j.properties' : 'log4j2.xml'),
    dataDir: join(dir, 'data'),
    logsDir: join(dir, 'logs'),
    /** The JVM's own stdout/stderr: crashes and anything logged before log4j is set up. */
    outFile: join(dir, 'logs', 'kafka.out'),
    pidFile: join(dir, 'kafka.pid'),
  };
}

function java(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

function logSystemProperties(inst: KafkaInstance, p: ReturnType<typeof kafkaPaths>): string[] {
  return [
    `-Dkafka.logs.dir=${p.logsDir}`,
    kafkaMajor(inst.version) === 3 ? `-Dlog4j.configuration=file:${p.logConfig}` : `-Dlog4j2.configurationFile=${p.logConfig}`,
  ];
}

/** The pid of this instance's broker if it runs (the pid file names a live JVM using our config). */
export function kafkaPid(inst: KafkaInstance): number | undefined {
  const p = kafkaPaths(inst);
  return runningPid(p.pidFile, p.serverProperties);
}

const probeLog = createLogger('silent', 'stack-probe');

/** True once the broker answers a metadata request (describeCluster) on `port`. */
export async function kafkaReady(port: number): Promise<boolean> {
  // One quick try, silently: the caller polls, and a broker still starting is not worth a log line.
  const kafka = createKafka({ brokers: [`127.0.0.1:${port}`], clientId: 'mcp-audit-stack-probe' }, probeLog, {
    connectionTimeout: 1_000,
    requestTimeout: 3_000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** Installs if needed, starts the broker if it is not running, and waits until it is ready. Idempotent. */
export async function startKafka(inst: KafkaInstance, log: Logger): Promise<void> {
  await withLock(join(resolve(inst.dir), 'start.lock'), () => startKafkaLocked(inst, log));
}

async function startKafkaLocked(inst: KafkaInstance, log: Logger): Promise<void> {
  const p = kafkaPaths(inst);
  const where = `127.0.0.1:${inst.port}`;
  const running = kafkaPid(inst);
  if (running !== undefined) {
    await waitUntilReady(inst, running, p);
    log.info({ servicePid: running, broker: where }, `Kafka ${inst.version} already running`);
    return;
  }
  for (const port of [inst.port, inst.controllerPort]) {
    if (await portOpen(port)) {
      throw new Error(
        `cannot start Kafka: port ${port} is already in use by a process this stack did not start ` +
          `(no live pid file in ${p.dir}); stop it or choose other ports`,
      );
    }
  }
  await ensureKafkaInstalled(inst.version, p.libsDir, log);

  for (const d of [p.configDir, p.dataDir, p.logsDir]) mkdirSync(d, { recursive: true });
  // Rewritten on every start so a changed port or setting takes effect on the next `up`.
  writeFileSync(
    p.serverProperties,
    renderServerProperties({
      version: inst.version,
      port: inst.port,
      controllerPort: inst.controllerPort,
      dataDir: p.dataDir,
      logsDir: p.logsDir,
      extra: inst.extra,
      ...(inst.cluster ? { cluster: inst.cluster } : {}),
    }),
  );
  writeFileSync(p.logConfig, kafkaMajor(inst.version) === 3 ? renderLog4j1(p.logsDir) : renderLog4j2(p.logsDir));

  await formatStorage(inst, p, log);

  log.info({ version: inst.version, broker: where, logs: p.logsDir }, `starting Kafka ${inst.version}`);
  const classpath = join(p.libsDir, '*');
  const pid = spawnDetached(
    java(),
    [...jvmOpts(inst), ...logSystemProperties(inst, p), '-cp', classpath, 'kafka.Kafka', p.serverProperties],
    { cwd: p.dir, outFile: p.outFile, pidFile: p.pidFile },
  );
  const started = Date.now();
  await waitUntilReady(inst, pid, p);
  log.info({ servicePid: pid, broker: where, seconds: Math.round((Date.now() - started) / 1000) }, `Kafka ${inst.version} is ready`);
}

async function waitUntilReady(inst: KafkaInstance, pid: number, p: ReturnType<typeof kafkaPaths>): Promise<void> {
  await waitFor(`waiting for Kafka on 127.0.0.1:${inst.port}`, () => kafkaReady(inst.port), {
    timeoutMs: READY_TIMEOUT_MS,
    intervalMs: 500,
    abort: () =>
      runningPid(p.pidFile, p.serverProperties) === pid
        ? undefined
        : `the broker (pid ${pid}) exited; last lines of ${p.outFile}:\n${tail(p.outFile)}\n` +
          `last lines of ${join(p.logsDir, 'server.log')}:\n${tail(join(p.logsDir, 'server.log'))}`,
  });
}

/** KRaft needs its log folder formatted with a cluster id once; meta.properties marks it done. */
async function formatStorage(inst: KafkaInstance, p: ReturnType<typeof kafkaPaths>, log: Logger): Promise<void> {
  if (existsSync(join(p.dataDir, 'meta.properties'))) return;
  const clusterId = inst.cluster?.clusterId ?? kafkaClusterId();
  log.info({ clusterId, dataDir: p.dataDir }, 'formatting Kafka KRaft storage (first start)');
  const args = [
    '-Xmx256m',
    ...logSystemProperties(inst, p),
    '-cp', join(p.libsDir, '*'),
    'kafka.tools.StorageTool', 'format',
    '--cluster-id', clusterId,
    '--config', p.serverProperties,
    '--ignore-formatted',
    ...(inst.formatArgs ?? []),
  ];
  try {
    const { stdout, stderr } = await execFileAsync(java(), args, { cwd: p.dir });
    writeFileSync(join(p.logsDir, 'storage-format.log'), stdout + stderr);
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    writeFileSync(join(p.logsDir, 'storage-format.log'), `${e.stdout ?? ''}${e.stderr ?? ''}`);
    throw new Error(`formatting Kafka storage failed: ${e.stderr || e.stdout || e.message}`);
  }
}

/** A random cluster id in Kafka's own format (16 random bytes, URL-safe base64, no padding). */
export function kafkaClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id; // Kafka never issues ids that look like a command-line flag
  }
}

/** Stops this instance's broker (only if we started it) and waits until the process is gone. */
export async function stopKafka(inst: KafkaInstance, signal: StopSignal = 'SIGTERM'): Promise<number | undefined> {
  const p = kafkaPaths(inst);
  return stopProcess(p.pidFile, p.serverProperties, signal);
}
