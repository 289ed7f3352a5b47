// Integration tests of the local stack with real processes: a second ClickHouse in a temp folder,
// topic creation on the default broker (started by test/global.setup.ts), and a Kafka 4.1.2 on its
// own ports proving the other supported version installs, starts and carries a message.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Partitioners } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config.ts';
import { freePort } from '../stack/free.port.ts';
import { createKafka } from '../core/kafka.ts';
import { createLogger } from '../core/logger.ts';
import { clickhousePid } from '../stack/clickhouse.process.ts';
import { kafkaPid, kafkaReady } from '../stack/kafka.process.ts';
import { isAlive } from '../stack/process.ts';
import {
  createTopics,
  kafkaLibsDir,
  stackTopics,
  startClickHouse,
  startKafka,
  stopClickHouse,
  stopKafka,
  type ClickHouseInstance,
  type KafkaInstance,
} from '../stack/stack.ts';

const config = loadConfig();
const log = createLogger('warn');

async function chQuery(inst: ClickHouseInstance, sql: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${inst.httpPort}/?query=${encodeURIComponent(sql)}`);
  const body = await res.text();
  if (!res.ok) throw new Error(`ClickHouse ${res.status}: ${body}`);
  return body.trim();
}

const tempDirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('a second ClickHouse instance', () => {
  let inst: ClickHouseInstance | undefined;
  afterAll(async () => {
    if (inst) await stopClickHouse(inst, 'SIGKILL');
  });

  it('starts on its own ports and folder, answers, is idempotent, and stops', async () => {
    inst = { dir: tempDir('mcp-audit-ch-'), httpPort: await freePort(), tcpPort: await freePort() };
    await startClickHouse(inst, log);
    const pid = clickhousePid(inst);
    expect(pid).toBeTypeOf('number');

    expect(await (await fetch(`http://127.0.0.1:${inst.httpPort}/ping`)).text()).toBe('Ok.\n');
    expect(await chQuery(inst, 'SELECT version()')).toMatch(/^\d+\.\d+/);
    // Our <timezone>UTC</timezone>; 18.16 reports it by its tzdata name.
    expect(await chQuery(inst, 'SELECT timezone()')).toMatch(/^(Etc\/)?UTC$/);

    await startClickHouse(inst, log); // already running: same process, no second server
    expect(clickhousePid(inst)).toBe(pid);

    await stopClickHouse(inst);
    expect(isAlive(pid!)).toBe(false);
    expect(clickhousePid(inst)).toBeUndefined();
    await expect(fetch(`http://127.0.0.1:${inst.httpPort}/ping`)).rejects.toThrow();
  });
});

describe('createTopics on the default broker', () => {
  const brokers = config.kafka.brokers;
  const admin = createKafka({ brokers, clientId: 'stack-test' }, log).admin();
  const scratch = `stack-test-${process.pid}-${Date.now()}`;
  afterAll(async () => {
    await admin.deleteTopics({ topics: [scratch] }).catch(() => {});
    await admin.disconnect();
  });

  const partitionCounts = async (names: string[]) => {
    const { topics } = await admin.fetchTopicMetadata({ topics: names });
    return Object.fromEntries(topics.map((t) => [t.name, t.partitions.length]));
  };

  it('is idempotent and gives the stack topics their configured partitions', async () => {
    await admin.connect();
    const specs = stackTopics(config);
    await createTopics(brokers, specs, log);
    await createTopics(brokers, specs, log);
    expect(await partitionCounts(specs.map((t) => t.name))).toEqual({
      [config.topics.events]: config.stack.eventsPartitions,
      [config.topics.eventsDlq]: 1,
      [config.topics.alerts]: config.stack.eventsPartitions,
      [config.topics.alertsDlq]: 1,
      [config.topics.signals]: config.stack.eventsPartitions,
    });
  });

  it('creates a new topic once and grows it when asked for more partitions', async () => {
    await createTopics(brokers, [{ name: scratch, partitions: 3 }], log);
    await createTopics(brokers, [{ name: scratch, partitions: 3 }], log);
    expect(await partitionCounts([scratch])).toEqual({ [scratch]: 3 });
    await createTopics(brokers, [{ name: scratch, partitions: 4 }], log);
    expect(await partitionCounts([scratch])).toEqual({ [scratch]: 4 });
  });
});

describe('Kafka 4.1.2', () => {
  let inst: KafkaInstance | undefined;
  afterAll(async () => {
    if (inst) await stopKafka(inst, 'SIGKILL');
  });

  it('installs, starts on other ports, carries one message, and stops', { timeout: 900_000 }, async () => {
    inst = {
      version: '4.1.2',
      dir: tempDir('mcp-audit-kafka4-'),
      port: await freePort(),
      controllerPort: await freePort(),
      // The jar cache is shared with `MCP_AUDIT_STACK_KAFKA_VERSION=4.1.2 mcp-audit stack up`.
      libsDir: kafkaLibsDir(config.stack.dir, '4.1.2'),
    };
    await startKafka(inst, log);
    const pid = kafkaPid(inst);
    expect(pid).toBeTypeOf('number');

    const brokers = [`127.0.0.1:${inst.port}`];
    const topic = 'smoke';
    await createTopics(brokers, [{ name: topic, partitions: 2 }], log);
    await createTopics(brokers, [{ name: topic, partitions: 2 }], log);

    const kafka = createKafka({ brokers, clientId: 'stack-test-v4' }, log);
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'k', value: 'hello from kafkajs' }] });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: 'stack-test-v4' });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no message within 60 s')), 60_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          clearTimeout(timer);
          resolve(message.value?.toString() ?? '');
        },
      });
    });
    await consumer.disconnect();
    expect(received).toBe('hello from kafkajs');

    await stopKafka(inst);
    expect(isAlive(pid!)).toBe(false);
    expect(kafkaPid(inst)).toBeUndefined();
    expect(await kafkaReady(inst.port)).toBe(false);
  });
});
