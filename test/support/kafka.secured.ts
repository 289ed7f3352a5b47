// A second, separate Kafka broker for the secured-client tests, started by the stack's own code
// (stack/kafka.process.ts) in a temporary folder on free ports, with the jars the stack installed.
// Beside its PLAINTEXT listener (readiness probe, topic set-up) it has
//   SASL_SSL: TLS with the test CA's server certificate, SASL PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512;
//   SSL:      TLS that requires a client certificate signed by the test CA.
// SCRAM credentials are written when the storage is formatted, so they exist from the first start.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../core/config.ts';
import { kafkaLibsDir, startKafka, stopKafka, type KafkaInstance } from '../../stack/stack.ts';
import { freePort } from '../../stack/free.port.ts';
import { testLog } from './test.env.ts';
import type { TestCertificates } from './tls.certs.ts';

export const KAFKA_USER = 'mcp-audit-test';
export const KAFKA_PASSWORD = 'right-password';

export interface SecuredBroker {
  instance: KafkaInstance;
  plaintext: string;
  saslSsl: string;
  mtls: string;
}

export async function startSecuredBroker(certs: TestCertificates): Promise<SecuredBroker> {
  const [port, controllerPort, saslPort, mtlsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const store = (kind: 'keystore' | 'truststore', file: string) => [
    `ssl.${kind}.type=PKCS12`,
    `ssl.${kind}.location=${file}`,
    `ssl.${kind}.password=${certs.storePassword}`,
  ];
  const instance: KafkaInstance = {
    version: '3.9.2',
    dir: mkdtempSync(join(tmpdir(), 'mcpa-kafka-secured-')),
    port,
    controllerPort,
    libsDir: kafkaLibsDir(loadConfig().stack.dir, '3.9.2'),
    extra: {
      listeners: [
        { name: 'SASL_SSL', port: saslPort, protocol: 'SASL_SSL' },
        { name: 'SSL', port: mtlsPort, protocol: 'SSL' },
      ],
      properties: [
        ...store('keystore', certs.keystore),
        ...store('truststore', certs.truststore),
        'listener.name.ssl.ssl.client.auth=required',
        'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
        `listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${KAFKA_USER}="${KAFKA_PASSWORD}";`,
        'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
        'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
      ],
    },
    formatArgs: ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((m) => ['--add-scram', `${m}=[name=${KAFKA_USER},password=${KAFKA_PASSWORD}]`]),
  };
  await startKafka(instance, testLog);
  return { instance, plaintext: `127.0.0.1:${port}`, saslSsl: `127.0.0.1:${saslPort}`, mtls: `127.0.0.1:${mtlsPort}` };
}

/** Stops the broker and removes its folder (data, logs, config with the store passwords). */
export async function stopSecuredBroker(b: SecuredBroker | undefined): Promise<void> {
  if (!b) return;
  await stopKafka(b.instance);
  rmSync(b.instance.dir, { recursive: true, force: true });
}
