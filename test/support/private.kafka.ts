// A Kafka broker of one test file's own, for tests that stop or crash it (or need another version):
// started by the stack's own code (stack/kafka.process.ts) in a temporary folder on free ports,
// with the jars the shared stack installed. Stopping and starting it again keeps its data folder.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../core/config.ts';
import { kafkaLibsDir, startKafka, type KafkaInstance, type KafkaVersion } from '../../stack/stack.ts';
import { freePort } from '../../stack/free.port.ts';
import { testLog } from './test.env.ts';

/** Starts a single-node broker; `name` prefixes its temporary folder. Stop it with stopKafka. */
export async function startPrivateKafka(name: string, version: KafkaVersion = '3.9.2'): Promise<KafkaInstance> {
  const broker: KafkaInstance = {
    version,
    dir: mkdtempSync(join(tmpdir(), `mcpa-${name}-`)),
    port: await freePort(),
    controllerPort: await freePort(),
    libsDir: kafkaLibsDir(loadConfig().stack.dir, version),
  };
  await startKafka(broker, testLog);
  return broker;
}

/** The `MCP_AUDIT_KAFKA_BROKERS` value that points a client at the broker. */
export const brokersOf = (broker: KafkaInstance): string => `127.0.0.1:${broker.port}`;
