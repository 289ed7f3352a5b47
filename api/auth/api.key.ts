// The API key format `mcpa_<key_id>_<secret>`: 16 hex digits of id (looked up in `api_keys`) and 64
// hex digits (32 random bytes) of secret, of which only the sha256 is stored. Hex keeps the `_`
// separators unambiguous and the key copy-paste safe.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const KEY = /^mcpa_([0-9a-f]{16})_([0-9a-f]{64})$/;

export interface ParsedKey {
  keyId: string;
  secret: string;
}

export function generateKey(): { key: string; keyId: string; secretSha256: string } {
  const keyId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('hex');
  return { key: `mcpa_${keyId}_${secret}`, keyId, secretSha256: sha256Hex(secret) };
}

export function parseKey(text: string): ParsedKey | null {
  const m = KEY.exec(text);
  return m ? { keyId: m[1]!, secret: m[2]! } : null;
}

export function sha256Hex(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** Constant-time comparison of a presented secret with a stored sha256 (both hashed to 32 bytes). */
export function secretMatches(secret: string, storedSha256Hex: string): boolean {
  const presented = createHash('sha256').update(secret).digest();
  const stored = Buffer.from(storedSha256Hex, 'hex');
  // A malformed stored hash must still cost one comparison, and never match.
  if (stored.length !== presented.length) {
    timingSafeEqual(presented, presented);
    return false;
  }
  return timingSafeEqual(presented, stored);
}

/** The key from an `Authorization: Bearer <key>` header value, or null. */
export function keyFromAuthorization(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  return m ? m[1]! : null;
}
