import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config.ts';
import { explainKafkaError, kafkaSecurityOptions, type KafkaConnection } from './kafka.security.ts';

const dir = mkdtempSync(join(tmpdir(), 'kafka-security-'));
const pem = (name: string) => {
  const file = join(dir, name);
  writeFileSync(file, `-----BEGIN CERTIFICATE-----\n${name}\n-----END CERTIFICATE-----\n`);
  return file;
};
const base: KafkaConnection = { brokers: ['b1:9093'], clientId: 'c' };
const tls = { caFile: '', certFile: '', keyFile: '', servername: '', rejectUnauthorized: true };

describe('Kafka connection options', () => {
  it('are none for a plaintext listener', () => {
    expect(kafkaSecurityOptions(base)).toEqual({});
  });

  it('carry SASL and TLS with the files read, for kafkajs', () => {
    const o = kafkaSecurityOptions({
      ...base,
      sasl: { mechanism: 'scram-sha-256', username: 'u', password: 'p' },
      tls: { ...tls, caFile: pem('ca.pem'), certFile: pem('c.pem'), keyFile: pem('k.pem'), servername: 'kafka.internal' },
    });
    expect(o.sasl).toEqual({ mechanism: 'scram-sha-256', username: 'u', password: 'p' });
    const ssl = o.ssl as { ca: Buffer; cert: Buffer; key: Buffer; servername: string; rejectUnauthorized: boolean };
    expect([ssl.ca, ssl.cert, ssl.key].map((b) => b.toString().split('\n')[1])).toEqual(['ca.pem', 'c.pem', 'k.pem']);
    expect(ssl).toMatchObject({ servername: 'kafka.internal', rejectUnauthorized: true });
  });

  it('use Node\'s CA list when no CA file is given', () => {
    expect(kafkaSecurityOptions({ ...base, tls })).toEqual({ ssl: { rejectUnauthorized: true } });
  });

  it('stop at a missing or non-PEM file, naming its setting', () => {
    expect(() => kafkaSecurityOptions({ ...base, tls: { ...tls, caFile: join(dir, 'nope.pem') } })).toThrow(/MCP_AUDIT_KAFKA_TLS_CA_FILE=.*nope\.pem: cannot read it \(ENOENT\)/);
    writeFileSync(join(dir, 'key.der'), Buffer.from([0x30, 0x82]));
    expect(() => kafkaSecurityOptions({ ...base, tls: { ...tls, certFile: pem('c.pem'), keyFile: join(dir, 'key.der') } })).toThrow(ConfigError);
  });
});

describe('Kafka connection errors', () => {
  it('pass through what no setting explains', () => {
    const err = Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), { name: 'KafkaJSConnectionError', code: 'ECONNREFUSED' });
    expect(explainKafkaError(err, base)).toBe(err);
  });

  it('name the mechanism setting when the listener does not offer it', () => {
    const err = Object.assign(new Error('SASL SCRAM-SHA-512 mechanism is not supported by the server'), { name: 'KafkaJSSASLAuthenticationError' });
    const explained = explainKafkaError(err, { ...base, sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' } });
    expect(explained).toBeInstanceOf(ConfigError);
    expect(String(explained)).toMatch(/does not accept SASL mechanism scram-sha-512 .*\(MCP_AUDIT_KAFKA_SASL_MECHANISM\)/);
  });
});
