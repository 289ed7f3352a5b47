// Verifies a presented API key: parse, look the id up (cached for `cacheMs`), compare the secret's
// sha256 in constant time, refuse revoked keys. The cache is what keeps a flood of requests from
// becoming a flood of ClickHouse queries; its lifetime bounds how long a revoked key keeps working.
import { parseKey, secretMatches } from './api.key.ts';
import type { ApiKeyRecord, KeyStore } from './key.store.ts';

export type Verified = { ok: true; key: ApiKeyRecord } | { ok: false; reason: 'malformed' | 'unknown' | 'revoked' | 'wrong_secret' };

// Compared against when the key id is unknown, so unknown and known ids cost the same hash + compare.
const DUMMY_SHA256 = '0'.repeat(64);
// Bounds memory under a flood of random key ids (each unknown id is cached negatively too).
const MAX_CACHED = 10_000;

export class KeyVerifier {
  private readonly store: Pick<KeyStore, 'find'>;
  private readonly cacheMs: number;
  private readonly cache = new Map<string, { record: ApiKeyRecord | null; until: number }>();
  private readonly inFlight = new Map<string, Promise<ApiKeyRecord | null>>();

  constructor(store: Pick<KeyStore, 'find'>, cacheMs: number) {
    this.store = store;
    this.cacheMs = cacheMs;
  }

  async verify(presented: string): Promise<Verified> {
    const parsed = parseKey(presented);
    if (!parsed) return { ok: false, reason: 'malformed' };
    const record = await this.lookup(parsed.keyId);
    const matches = secretMatches(parsed.secret, record?.secret_sha256 ?? DUMMY_SHA256);
    if (!record) return { ok: false, reason: 'unknown' };
    if (!matches) return { ok: false, reason: 'wrong_secret' };
    if (record.revoked) return { ok: false, reason: 'revoked' };
    return { ok: true, key: record };
  }

  /** Forgets cached lookups (tests; a future admin endpoint after revoking). */
  clear(): void {
    this.cache.clear();
  }

  private async lookup(keyId: string): Promise<ApiKeyRecord | null> {
    const now = Date.now();
    const hit = this.cache.get(keyId);
    if (hit && hit.until > now) return hit.record;
    // Concurrent requests with the same key share one query.
    let pending = this.inFlight.get(keyId);
    if (!pending) {
      pending = this.store.find(keyId).finally(() => this.inFlight.delete(keyId));
      this.inFlight.set(keyId, pending);
    }
    const record = await pending;
    if (this.cacheMs > 0) {
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      this.cache.set(keyId, { record, until: Date.now() + this.cacheMs });
    }
    return record;
  }
}
