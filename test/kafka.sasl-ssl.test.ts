// Secured Kafka end to end, on a second broker of our own (test/support/kafka.secured.ts) with a
// SASL_SSL listener and certificates this test makes: events produced by the producer library and by
// the SDK middleware's capture go through SASL_SSL (SCRAM-SHA-512), and ingest consumes them through
// the same listener into ClickHouse. PLAIN and SCRAM-SHA-256 connect too, and a client certificate
// passes a listener that requires one. Every wrong setting fails with an error naming the setting:
// a wrong password at once (no retry loop; the CLI exits 2), plaintext to the TLS port, TLS without
// the CA, TLS to the plaintext port, and no client certificate where one is required (on kafkajs, and
// on @platformatic/kafka under ingest, which exits 2 as well).
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createCapture } from '../capture/capture.ts';
import { loadConfig } from '../core/config.ts';
import { createKafka, type KafkaConnection } from '../core/kafka.ts';
import { KafkaSettingsError } from '../core/kafka.security.ts';
import { platformaticClients } from '../core/kafka/platformatic.clients.ts';
import { createLogger } from '../core/logger.ts';
import type { IngestService } from '../ingest/ingest.service.ts';
import { AuditProducer } from '../producer/audit.producer.ts';
import { auditedEchoClient } from './capture.support.ts';
import { spawnCli } from './support/child.ts';
import { makeEventsV2 } from './support/events.v2.factory.ts';
import { eventCounts, startIngest, waitForDistinct } from './support/ingest.harness.ts';
import { KAFKA_PASSWORD, KAFKA_USER, startSecuredBroker, stopSecuredBroker, type SecuredBroker } from './support/kafka.secured.ts';
import { createTestEnv, eventually, testLog, type TestEnv } from './support/test.env.ts';
import { makeCertificates, type TestCertificates } from './support/tls.certs.ts';

let certs: TestCertificates;
let broker: SecuredBroker | undefined;
let t: TestEnv;
let ingest: IngestService | undefined;
/** The settings of a SCRAM-SHA-512 client of the SASL_SSL listener that trusts the test CA. */
let secured: Record<string, string>;

/** kafkajs retries a failed connection 8 times over about a minute in the services; once is enough to see the error. */
const ONE_RETRY = { retry: { retries: 1, initialRetryTime: 100 } };

/** The connection a configuration describes, with `env` over the secured settings. */
const connectionWith = (env: Record<string, string>): KafkaConnection => loadConfig({ ...process.env, ...secured, ...env }).kafka;

/** The SSL listener that requires a client certificate, without SASL (and, unless added, without a certificate). */
const mtlsListener = () => ({ MCP_AUDIT_KAFKA_BROKERS: broker!.mtls, MCP_AUDIT_KAFKA_SASL_MECHANISM: '', MCP_AUDIT_KAFKA_SASL_USERNAME: '', MCP_AUDIT_KAFKA_SASL_PASSWORD: '' });
const namesClientCertificate = /refused our TLS client certificate .*MCP_AUDIT_KAFKA_TLS_CERT_FILE and MCP_AUDIT_KAFKA_TLS_KEY_FILE/;

/** Failed attempts log at error level by design; these are expected, so they go nowhere. */
const quiet = createLogger('silent', 'test');

async function connectError(connection: KafkaConnection, tuning = {}, log = quiet): Promise<unknown> {
  const admin = createKafka(connection, log, tuning).admin();
  try {
    await admin.connect();
    return null;
  } catch (err) {
    return err;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

beforeAll(async () => {
  certs = makeCertificates(mkdtempSync(join(tmpdir(), 'mcpa-certs-')));
  broker = await startSecuredBroker(certs);
  secured = {
    MCP_AUDIT_KAFKA_BROKERS: broker.saslSsl,
    MCP_AUDIT_KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
    MCP_AUDIT_KAFKA_SASL_USERNAME: KAFKA_USER,
    MCP_AUDIT_KAFKA_SASL_PASSWORD: KAFKA_PASSWORD,
    MCP_AUDIT_KAFKA_TLS: 'true',
    MCP_AUDIT_KAFKA_TLS_CA_FILE: certs.caCert,
  };
  // Topics are created through the secured listener too (createTopics takes the configuration's connection).
  t = await createTestEnv('sasl_ssl', { ...secured, MCP_AUDIT_CAPTURE_SPILL_DIR: mkdtempSync(join(tmpdir(), 'mcpa-spill-')) });
}, 600_000);

afterAll(async () => {
  await ingest?.stop();
  await t?.clickhouse.close();
  await stopSecuredBroker(broker);
});

describe('Kafka over SASL_SSL', () => {
  it('carries events from the producer library and the SDK middleware through SCRAM-SHA-512 and TLS into ClickHouse via ingest', async () => {
    expect(t.config.kafka.sasl?.mechanism).toBe('scram-sha-512');
    expect(t.config.kafka.tls?.caFile).toBe(certs.caCert);
    ingest = await startIngest(t);

    const events = makeEventsV2(50, { seed: 12 });
    const producer = new AuditProducer(createKafka(t.config.kafka, testLog), { topic: t.config.topics.events });
    await producer.connect();
    await producer.sendMany(events);
    await producer.disconnect();

    // The SDK middleware: a tool call on a wrapped MCP server, captured and produced the same way.
    const capture = createCapture(t.config, { kafka: createKafka(t.config.kafka, testLog), log: testLog });
    const client = await auditedEchoClient(capture, 'sasl-client');
    await client.callTool({ name: 'echo', arguments: { n: 1 } });
    expect(await capture.buffer.drain(60_000)).toBe(true);
    expect(capture.buffer.stats()).toMatchObject({ kafkaUp: true, sent: 1, dropped: 0, spilled: 0 });
    await capture.stop();
    await client.close();

    expect(await waitForDistinct(t, events.length + 1, 120_000)).toBe(events.length + 1);
    expect(await eventCounts(t)).toEqual({ distinct: events.length + 1, final: events.length + 1 });
  }, 300_000);

  it('also takes PLAIN and SCRAM-SHA-256, and a client certificate where the listener requires one', async () => {
    for (const mechanism of ['plain', 'scram-sha-256']) {
      expect(await connectError(connectionWith({ MCP_AUDIT_KAFKA_SASL_MECHANISM: mechanism })), mechanism).toBeNull();
    }
    const mtls = mtlsListener();
    expect(await connectError(connectionWith({ ...mtls, MCP_AUDIT_KAFKA_TLS_CERT_FILE: certs.clientCert, MCP_AUDIT_KAFKA_TLS_KEY_FILE: certs.clientKey }))).toBeNull();
    // Negative control: the same listener without the client certificate.
    const refused = await connectError(connectionWith(mtls), ONE_RETRY);
    expect(refused).toBeInstanceOf(KafkaSettingsError);
    expect(String(refused)).toMatch(namesClientCertificate);
  }, 300_000);
});

describe('a wrong Kafka setting fails with an error naming it', () => {
  const wrongPassword = { MCP_AUDIT_KAFKA_SASL_PASSWORD: 'wrong-password' };
  const namesCredentials = /Kafka rejected the SASL credentials \(MCP_AUDIT_KAFKA_SASL_USERNAME \/ MCP_AUDIT_KAFKA_SASL_PASSWORD/;

  it('a wrong password, for every mechanism, at the first attempt (the SASL error is not retried)', async () => {
    for (const mechanism of ['scram-sha-512', 'scram-sha-256', 'plain']) {
      // With the services' own retry settings; kafkajs logs each authentication attempt it makes.
      const lines: string[] = [];
      const log = createLogger('error', 'test', { write: (l: string) => void lines.push(l) });
      const err = await connectError(connectionWith({ ...wrongPassword, MCP_AUDIT_KAFKA_SASL_MECHANISM: mechanism }), {}, log);
      const attempts = lines.filter((l) => (JSON.parse(l) as { kafka?: string }).kafka?.startsWith('SaslAuthenticator'));
      expect(attempts, mechanism).toHaveLength(1);
      expect(err, mechanism).toBeInstanceOf(KafkaSettingsError);
      expect(String(err)).toMatch(namesCredentials);
      expect(String(err)).toContain(`mechanism ${mechanism}`);
      expect(String(err)).not.toContain('wrong-password');
    }
  }, 120_000);

  it('a wrong password stops `mcp-audit ingest` with exit code 2 and the message, instead of retrying', async () => {
    const child = spawnCli(['ingest'], { ...t.env, ...wrongPassword, MCP_AUDIT_INGEST_WORKERS: '1' });
    expect(await child.exited, child.output()).toBe(2);
    expect(child.output()).toMatch(new RegExp(`mcp-audit: ${namesCredentials.source}`));
    expect(child.output()).not.toContain('wrong-password');
  }, 120_000);

  it('no client certificate on the mTLS listener stops `mcp-audit ingest` on @platformatic/kafka with exit code 2 and the message, as on kafkajs', async () => {
    const platformatic = { ...mtlsListener(), MCP_AUDIT_KAFKA_CONSUMER_CLIENT: 'platformatic' };
    const child = spawnCli(['ingest'], { ...t.env, ...platformatic, MCP_AUDIT_INGEST_WORKERS: '1' });
    // A child still retrying when the test gives up must not outlive it.
    onTestFinished(() => void child.proc.kill('SIGKILL'));
    expect(await child.exited, child.output()).toBe(2);
    expect(child.output()).toMatch(new RegExp(`mcp-audit: Kafka at ${broker!.mtls} ${namesClientCertificate.source}`));
    // The consumer's own start, which ingest does not reach: its dead-letter producer connects first.
    const consumer = platformaticClients(connectionWith(platformatic)).consumer({ groupId: 'mtls-no-certificate', topic: t.config.topics.events, concurrency: 1, maxWaitMs: 100 });
    const err = await consumer.start(() => Promise.resolve(), { assigned: () => {}, crashed: () => {} }).then(() => null, (e: unknown) => e);
    await consumer.disconnect().catch(() => {});
    expect(err).toBeInstanceOf(KafkaSettingsError);
    expect(String(err)).toMatch(namesClientCertificate);
  }, 120_000);

  it('a wrong password in capture: calls go on, events wait, and the error names the settings', async () => {
    const lines: string[] = [];
    const log = createLogger('error', 'capture', { write: (l: string) => void lines.push(l) });
    const spillDir = mkdtempSync(join(tmpdir(), 'mcpa-spill-'));
    const config = loadConfig({ ...process.env, ...t.env, ...wrongPassword, MCP_AUDIT_CAPTURE_SPILL_DIR: spillDir });
    const capture = createCapture(config, { kafka: createKafka(config.kafka, log), log });
    for (const e of makeEventsV2(3, { seed: 13 })) capture.push(e);
    expect(await eventually(async () => lines.some((l) => l.includes('Kafka refuses our connection settings')), 60_000)).toBe(true);
    const line = JSON.parse(lines.find((l) => l.includes('Kafka refuses our connection settings'))!) as { err: { message: string } };
    expect(line.err.message).toMatch(namesCredentials);
    expect(capture.buffer.stats()).toMatchObject({ kafkaUp: false, sent: 0, pending: 3, dropped: 0 });
    // Kept for the next run, with the right password.
    await capture.stop();
    expect(readdirSync(spillDir).some((f) => f.endsWith('.ndjson'))).toBe(true);
    expect(lines.join('')).not.toContain('wrong-password');
  }, 120_000);

  it('plaintext to the SASL_SSL port names MCP_AUDIT_KAFKA_TLS', async () => {
    const err = await connectError(connectionWith({ MCP_AUDIT_KAFKA_TLS: 'false', MCP_AUDIT_KAFKA_TLS_CA_FILE: '' }), ONE_RETRY);
    expect(err).toBeInstanceOf(KafkaSettingsError);
    expect(String(err)).toMatch(/closed the connection without answering .*without MCP_AUDIT_KAFKA_TLS=true/);
  }, 120_000);

  it('TLS without the private CA names MCP_AUDIT_KAFKA_TLS_CA_FILE', async () => {
    const err = await connectError(connectionWith({ MCP_AUDIT_KAFKA_TLS_CA_FILE: '' }), ONE_RETRY);
    expect(err).toBeInstanceOf(KafkaSettingsError);
    expect(String(err)).toMatch(/TLS certificate .* was not accepted \(SELF_SIGNED_CERT_IN_CHAIN\): trust its CA with MCP_AUDIT_KAFKA_TLS_CA_FILE/);
  }, 120_000);

  it('TLS to the plaintext port names MCP_AUDIT_KAFKA_TLS', async () => {
    const err = await connectError(connectionWith({ MCP_AUDIT_KAFKA_BROKERS: broker!.plaintext, MCP_AUDIT_KAFKA_SASL_MECHANISM: '', MCP_AUDIT_KAFKA_SASL_USERNAME: '', MCP_AUDIT_KAFKA_SASL_PASSWORD: '' }), ONE_RETRY);
    expect(err).toBeInstanceOf(KafkaSettingsError);
    expect(String(err)).toMatch(/TLS handshake with Kafka .* failed .*MCP_AUDIT_KAFKA_TLS=true/);
  }, 120_000);
});
