// Canonical JSON (object keys sorted, no whitespace) and its sha256, so the same arguments hash
// the same whichever client serialised them and in whatever key order.
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'null';
}

function sortKeys(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(sortKeys);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
  return out;
}

export const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

/** sha256 and UTF-8 size of the canonical JSON of `value`. */
export function digest(value: unknown): { sha256: string; size_bytes: number } {
  const text = canonicalJson(value);
  return { sha256: sha256Hex(text), size_bytes: Buffer.byteLength(text) };
}
