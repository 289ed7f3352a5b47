// Reads the certificate and key files that TLS settings name, once, when a client is made: a missing
// or unreadable file stops the program with the setting that named it, before any connection.
import { readFileSync } from 'node:fs';
import { ConfigError } from './config.ts';

export function readTlsFile(path: string, setting: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(path);
  } catch (err) {
    throw new ConfigError(`${setting}=${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  // A DER file or a keystore (.p12, .jks) would fail later inside the TLS handshake with a vague error.
  if (!pem.includes('-----BEGIN ')) throw new ConfigError(`${setting}=${path}: expected a PEM file (-----BEGIN ...)`);
  return pem;
}
