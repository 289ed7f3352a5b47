// Event ids: UUIDv7 (RFC 9562 §5.7), so ids sort by creation time and ClickHouse keeps them local.
import { randomBytes as cryptoRandomBytes } from 'node:crypto';

/**
 * A UUIDv7: 48-bit big-endian Unix milliseconds, version 7, RFC variant, 74 random bits.
 * `nowMs` and `randomBytes` are injectable so seeded test data stays deterministic.
 */
export function uuidv7(nowMs: number = Date.now(), randomBytes: (n: number) => Uint8Array = cryptoRandomBytes): string {
  if (!Number.isSafeInteger(nowMs) || nowMs < 0 || nowMs > 0xffff_ffff_ffff) throw new RangeError(`uuidv7: bad timestamp ${nowMs}`);
  const b = Buffer.alloc(16);
  b.set(randomBytes(10).subarray(0, 10), 6);
  b.writeUIntBE(nowMs, 0, 6);
  b[6] = 0x70 | (b[6]! & 0x0f); // version 7 in the high nibble
  b[8] = 0x80 | (b[8]! & 0x3f); // variant 0b10
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The Unix milliseconds a UUIDv7 carries, or undefined when the string is not one. */
export function uuidv7Time(id: string): number | undefined {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(id)) return undefined;
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
