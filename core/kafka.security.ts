// How every Kafka client of ours connects (core/kafka.ts builds them all): SASL PLAIN or
// SCRAM-SHA-256/512 and TLS with a private CA and client certificate, from the settings; and the
// connection failures a wrong setting causes, retold with the setting to change.
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import { ConfigError, type SASL_MECHANISMS } from './config.ts';
import { readTlsFile } from './tls.files.ts';

export interface KafkaSasl {
  mechanism: (typeof SASL_MECHANISMS)[number];
  username: string;
  password: string;
}

/** File paths are absolute (config resolves them); '' means not set. */
export interface KafkaTls {
  caFile: string;
  certFile: string;
  keyFile: string;
  servername: string;
  rejectUnauthorized: boolean;
}

/** What a client needs to reach the brokers: where they are and how to prove who we are. */
export interface KafkaConnection {
  brokers: string[];
  clientId: string;
  sasl?: KafkaSasl | undefined;
  tls?: KafkaTls | undefined;
}

/** A connection refused because of our settings: retrying cannot help, so it stops the program. */
export class KafkaSettingsError extends ConfigError {
  override name = 'KafkaSettingsError';
}

/** kafkajs `ssl` and `sasl` options. Reads the certificate files now, so a bad path fails at start. */
export function kafkaSecurityOptions(c: KafkaConnection): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const out: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (c.tls) {
    const ssl: ConnectionOptions = { rejectUnauthorized: c.tls.rejectUnauthorized };
    // Without a CA file, Node's own CA list verifies the brokers (a managed Kafka with a public CA).
    if (c.tls.caFile) ssl.ca = readTlsFile(c.tls.caFile, 'MCP_AUDIT_KAFKA_TLS_CA_FILE');
    if (c.tls.certFile) {
      ssl.cert = readTlsFile(c.tls.certFile, 'MCP_AUDIT_KAFKA_TLS_CERT_FILE');
      ssl.key = readTlsFile(c.tls.keyFile, 'MCP_AUDIT_KAFKA_TLS_KEY_FILE');
    }
    // kafkajs sends each broker's host as SNI and checks the certificate against it unless told a name.
    if (c.tls.servername) ssl.servername = c.tls.servername;
    out.ssl = ssl;
  }
  if (c.sasl) out.sasl = { mechanism: c.sasl.mechanism, username: c.sasl.username, password: c.sasl.password } as SASLOptions;
  return out;
}

/** Node's codes for a server certificate that does not verify. */
const UNTRUSTED_CERTIFICATE = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * Node's codes for the broker's TLS alert that it wants a client certificate, or a trusted one (a Java
 * broker answers a missing one with bad_certificate; OpenSSL 3 and 1.1 name that alert differently).
 */
const CLIENT_CERTIFICATE_REFUSED = new Set([
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
]);

type ErrorLike = Error & { code?: string; cause?: unknown; originalError?: unknown };

/** The error and what it wraps (kafkajs keeps the last attempt's error as `cause` after its retries). */
function chainOf(err: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  for (let e = err; e instanceof Error && chain.length < 10; e = (e as ErrorLike).cause ?? (e as ErrorLike).originalError) chain.push(e as ErrorLike);
  return chain;
}

/**
 * A connection failure told in terms of the setting to fix; other errors come back unchanged.
 * Covers what a wrong setting causes: credentials or mechanism the broker refuses, a certificate that
 * does not verify, TLS spoken to a plaintext listener, and plaintext spoken to a TLS or SASL one.
 */
export function explainKafkaError(err: unknown, c: KafkaConnection): unknown {
  const chain = chainOf(err);
  const where = c.brokers.join(',');
  const sasl = chain.find((e) => e.name === 'KafkaJSSASLAuthenticationError');
  if (sasl) {
    if (/mechanism is not supported/.test(sasl.message)) {
      return new KafkaSettingsError(
        `Kafka at ${where} does not accept SASL mechanism ${c.sasl?.mechanism} on this listener (MCP_AUDIT_KAFKA_SASL_MECHANISM): ${sasl.message}`,
        { cause: err },
      );
    }
    return new KafkaSettingsError(
      `Kafka rejected the SASL credentials (MCP_AUDIT_KAFKA_SASL_USERNAME / MCP_AUDIT_KAFKA_SASL_PASSWORD, mechanism ${c.sasl?.mechanism}) at ${where}: ${sasl.message}`,
      { cause: err },
    );
  }
  const untrusted = chain.find((e) => e.code !== undefined && UNTRUSTED_CERTIFICATE.has(e.code));
  if (untrusted) {
    return new KafkaSettingsError(
      `Kafka's TLS certificate at ${where} was not accepted (${untrusted.code}): trust its CA with MCP_AUDIT_KAFKA_TLS_CA_FILE, ` +
        'or name the host it was issued for with MCP_AUDIT_KAFKA_TLS_SERVERNAME',
      { cause: err },
    );
  }
  const text = chain.map((e) => `${e.code ?? ''} ${e.message}`).join(' | ');
  const last = chain.at(-1)?.message.trim();
  const refused = chain.some((e) => e.code !== undefined && CLIENT_CERTIFICATE_REFUSED.has(e.code));
  if (c.tls && (refused || /alert bad certificate|alert certificate required|alert unknown ca/i.test(text))) {
    return new KafkaSettingsError(
      `Kafka at ${where} refused our TLS client certificate (${last}): it wants one signed by a CA it trusts, ` +
        'in MCP_AUDIT_KAFKA_TLS_CERT_FILE and MCP_AUDIT_KAFKA_TLS_KEY_FILE',
      { cause: err },
    );
  }
  if (c.tls && /EPROTO|wrong version number|packet length too long|before secure TLS connection was established/i.test(text)) {
    return new KafkaSettingsError(
      `the TLS handshake with Kafka at ${where} failed (${last}): this listener may not speak TLS (MCP_AUDIT_KAFKA_TLS=true)`,
      { cause: err },
    );
  }
  const missing = [
    ...(c.tls ? [] : ['a TLS listener does this to a client without MCP_AUDIT_KAFKA_TLS=true']),
    ...(c.sasl ? [] : ['a SASL listener to one without MCP_AUDIT_KAFKA_SASL_MECHANISM']),
  ];
  if (missing.length && chain.some((e) => e.name === 'KafkaJSConnectionClosedError')) {
    return new KafkaSettingsError(`Kafka at ${where} closed the connection without answering (${last}): ${missing.join(', and ')}`, { cause: err });
  }
  return err;
}
