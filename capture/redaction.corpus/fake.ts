// TEST DATA helpers. Every secret in this corpus is a fake assembled at run time from a literal
// prefix (split in parts, so no file here matches a secret scanner) and a deterministic filler; none
// is, or was, a real credential.

export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const LOWER = 'abcdefghijklmnopqrstuvwxyz';
export const DIGITS = '0123456789';
export const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const HEX = '0123456789abcdef';
export const B64URL = ALNUM + '_-';
export const B64 = ALNUM + '+/';

/** Deterministic filler: `n` characters of `alphabet`, different for every seed. */
export function fill(alphabet: string, n: number, seed: number): string {
  let x = seed * 2654435761 + 1;
  let s = '';
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    s += alphabet[(x >>> 8) % alphabet.length];
  }
  return s;
}

/** Joins parts (prefixes are written split so this source holds no scannable secret). */
export const j = (...parts: string[]) => parts.join('');
