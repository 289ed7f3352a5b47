// Opaque cursors for keyset pagination: base64url of the sort key of the last row shown — 8 bytes of
// big-endian ts_ms, then the UTF-8 id. Clients pass it back as `cursor`. Every string of the
// documented shape decodes to some sort key (the id is only ever bound as a string literal), so a
// cursor the API did not issue just starts the page somewhere else: it cannot fail or leak.
import { HttpProblem } from '../problem.ts';

export type SortKey = [number, string];

export const CURSOR_PATTERN = /^[A-Za-z0-9_-]{11,512}$/;

export function encodeCursor(key: SortKey): string {
  const ts = Buffer.alloc(8);
  ts.writeBigUInt64BE(BigInt(Math.max(0, Math.min(key[0], Number.MAX_SAFE_INTEGER))));
  return Buffer.concat([ts, Buffer.from(key[1], 'utf8')]).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): SortKey | null {
  if (cursor === undefined) return null;
  const bytes = CURSOR_PATTERN.test(cursor) ? Buffer.from(cursor, 'base64url') : Buffer.alloc(0);
  if (bytes.length < 8) throw new HttpProblem(400, 'cursor is not one this API issued', { errors: [{ path: 'cursor', message: 'invalid cursor' }] });
  const ts = bytes.readBigUInt64BE(0);
  const ms = ts > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(ts);
  return [ms, bytes.subarray(8).toString('utf8')];
}

/** The page and the cursor of the next one: queries fetch `limit + 1` rows to know if there is more. */
export function page<T>(fetched: T[], limit: number, keyOf: (row: T) => SortKey): { items: T[]; next_cursor: string | null } {
  const items = fetched.slice(0, limit);
  const last = items[items.length - 1];
  return { items, next_cursor: fetched.length > limit && last ? encodeCursor(keyOf(last)) : null };
}
