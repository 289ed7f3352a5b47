// Canonical JSON (object keys sorted, no whitespace) and its sha256, so the same arguments hash
// the same whichever client serialised them and in whatever key order.
import { createHash } from 'node:crypto';
import { canonicalText, writeCanonical } from './canonical.bounded.ts';

/** Iterative and budgeted (see canonical.bounded.ts): never throws, whatever the shape. */
export function canonicalJson(value: unknown): string {
  return canonicalText(value).text;
}

export const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * sha256 and UTF-8 size of the canonical JSON of `value`, hashed as it is written. `truncated`: a
 * depth or size budget cut the text, and the hash covers what was kept.
 */
export function digest(value: unknown): { sha256: string; size_bytes: number; truncated: boolean } {
  const hash = createHash('sha256');
  const { size_bytes, truncated } = writeCanonical(value, (piece) => hash.update(piece));
  return { sha256: hash.digest('hex'), size_bytes, truncated };
}
