// Does a value look like a random secret? Shannon entropy per character plus shape checks, for
// values found where a secret is plausible (`key=…`, after "api key", under a `license` key) but
// whose format no rule names. Identifiers with a known benign shape (UUIDs, hex digests, paths,
// words) are not random secrets.

/** Bits per character of `s` (at most 256 characters are looked at). */
export function shannonEntropy(s: string): number {
  const n = Math.min(s.length, 256);
  if (n === 0) return 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let h = 0;
  for (const k of counts.values()) {
    const p = k / n;
    h -= p * Math.log2(p);
  }
  return h;
}

const TOKEN = /^[A-Za-z0-9+/=_.~:-]{16,256}$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const HEX_DIGEST = /^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}|[0-9A-F]{32}|[0-9A-F]{40}|[0-9A-F]{64})$/;
const HOSTNAME = /^(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}\/?$/;
const PATHISH = /^[./~]|\/[A-Za-z]+\/|\.(?:[a-z]{1,4})$/;

/**
 * A single token of 16 to 256 characters, with letters and digits, and high entropy for its
 * alphabet: hex needs ~3 bits per character, mixed case and digits ~3.5. UUIDs, git and sha
 * digests and path-like values are not secrets by shape alone.
 */
export function looksRandom(s: string): boolean {
  if (s.length < 16 || s.length > 256) return false;
  if (!TOKEN.test(s) || UUID.test(s) || HEX_DIGEST.test(s) || PATHISH.test(s) || HOSTNAME.test(s)) return false;
  if (!/[0-9]/.test(s) || !/[A-Za-z]/.test(s)) return false;
  const h = shannonEntropy(s);
  const hexOnly = /^[0-9a-fA-F]+$/.test(s);
  return hexOnly ? h >= 3.0 : h >= 3.5;
}
