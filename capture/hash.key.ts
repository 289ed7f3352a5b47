// The per-deployment key behind every keyed hash capture puts into an event (HMAC-SHA256 of the
// arguments and of the result, value fingerprints), so a hash in an event cannot be confirmed by
// hashing guesses without the key. Each use has its own domain prefix, so a value hashed for one
// use never yields the same HMAC as for another.
import { createHash, createHmac, createSecretKey, randomBytes, type Hmac, type KeyObject } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../core/logger.ts';
import { writeCanonical } from './canonical.bounded.ts';

export interface HashKey {
  /** Carried by every event as `hash_key_id`; changes with the key. */
  id: string;
  bytes: Buffer;
}

/**
 * Domain prefixes of the HMAC messages. None is a prefix of another, so messages of two domains can
 * never be equal, whatever follows the prefix.
 */
const DOMAIN = { arguments: 'args:', result: 'result:', fingerprint: 'fp:' } as const;
export type HashDomain = keyof typeof DOMAIN;

// A KeyObject per key: handing createHmac raw bytes makes it build one per call, several times slower.
const keyObjects = new WeakMap<Buffer, KeyObject>();

/** An HMAC-SHA256 under `key` with the domain prefix already in it: feed it the message, in pieces if need be. */
export function keyedHasher(key: HashKey, domain: HashDomain): Hmac {
  let k = keyObjects.get(key.bytes);
  if (!k) keyObjects.set(key.bytes, (k = createSecretKey(key.bytes)));
  return createHmac('sha256', k).update(DOMAIN[domain]);
}

/** Lowercase hex HMAC-SHA256 of `text` under `key`, in the given domain. */
export function keyedHex(key: HashKey, domain: HashDomain, text: string): string {
  return keyedHasher(key, domain).update(text).digest('hex');
}

/**
 * HMAC-SHA256 and UTF-8 size of the canonical JSON of `value` (arguments or a result), hashed as the
 * bounded writer produces it. `truncated`: a depth or size budget cut the text; the HMAC covers what was kept.
 */
export function keyedDigest(key: HashKey, domain: 'arguments' | 'result', value: unknown): { hmac_sha256: string; size_bytes: number; truncated: boolean } {
  const hmac = keyedHasher(key, domain);
  const { size_bytes, truncated } = writeCanonical(value, (piece) => hmac.update(piece));
  return { hmac_sha256: hmac.digest('hex'), size_bytes, truncated };
}

/**
 * A short public name of a key: 32 bits of a hash of it under its own prefix. It tells keys apart
 * and reveals nothing usable about a key of 256 random bits.
 */
export function derivedKeyId(bytes: Buffer): string {
  return `k-${createHash('sha256').update('mcp-audit hash key id:').update(bytes).digest('hex').slice(0, 8)}`;
}

export const LOCAL_KEY_FILE = 'hash.key';

/**
 * The key of a local run without MCP_AUDIT_HASH_KEY: generated once into `dir`/hash.key (mode 0600)
 * and read back by every later start and every other capture process on this machine, so their
 * fingerprints agree. Created exclusively, so two processes starting at once end with one key.
 */
export function localHashKey(dir: string): Buffer {
  const file = join(dir, LOCAL_KEY_FILE);
  mkdirSync(dir, { recursive: true });
  try {
    const fd = openSync(file, 'wx', 0o600);
    try {
      writeSync(fd, `${randomBytes(32).toString('hex')}\n`);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const bytes = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  if (bytes.length < 32) throw new Error(`${file} does not hold a key of 32 bytes in hex: remove it or set MCP_AUDIT_HASH_KEY`);
  return bytes;
}

/** The configured key, or (with a warning, every start) the generated local one. */
export function resolveHashKey(settings: { hashKey: Buffer | undefined; hashKeyId: string | undefined; stackDir: string }, log: Logger): HashKey {
  const bytes = settings.hashKey ?? localHashKey(settings.stackDir);
  const key = { id: settings.hashKeyId ?? derivedKeyId(bytes), bytes };
  if (!settings.hashKey) {
    log.warn(
      { hash_key_id: key.id, file: join(settings.stackDir, LOCAL_KEY_FILE) },
      'MCP_AUDIT_HASH_KEY is not set: using a key generated on this machine; other machines will fingerprint differently. Set MCP_AUDIT_HASH_KEY for production.',
    );
  }
  return key;
}
