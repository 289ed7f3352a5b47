// Deterministic event ids for what comes in over OTLP: exporters retry (429, 502, 503, 504) and
// collectors replay, so the same span or log record must become the same event id every time; the
// events table then keeps it once (ReplacingMergeTree on event_id). Shaped as a UUIDv7 (the start
// time in its first 48 bits, then hash bits), so ids still sort by time like capture's own.
import { createHash } from 'node:crypto';

export function deterministicEventId(tenantId: string, parts: readonly string[], ms: number): string {
  const h = createHash('sha256').update(['otlp', tenantId, ...parts].join('\u0000')).digest('hex');
  const time = Math.max(0, Math.min(Math.trunc(ms), 0xffffffffffff)).toString(16).padStart(12, '0');
  const variant = ((parseInt(h[15]!, 16) & 0x3) | 0x8).toString(16);
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${h.slice(0, 3)}-${variant}${h.slice(3, 6)}-${h.slice(6, 18)}`;
}
