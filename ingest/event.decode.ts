// First ingest step for events: raw Kafka value -> validated v1 event, or a reason for the DLQ.
import { auditEventV1, type AuditEventV1 } from '../schemas/event.v1.ts';
import { fastValidEvent } from './event.fastpath.ts';
import { decodeJson, type DecodeReason } from './json.decode.ts';

export type { DecodeReason };

export type DecodeResult =
  | { ok: true; event: AuditEventV1 }
  | { ok: false; reason: DecodeReason; step: 'decode' | 'validate'; detail: string };

export function decodeEvent(bytes: Buffer | null, maxBytes: number): DecodeResult {
  const d = decodeJson(bytes, maxBytes, auditEventV1, fastValidEvent);
  return d.ok ? { ok: true, event: d.value } : d;
}
