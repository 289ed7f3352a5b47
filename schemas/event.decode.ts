// First step for events, in ingest and the detector: raw Kafka value -> a validated event of a
// contract version we read (schemas/event.ts), or a reason for the DLQ. The event's own
// `schema_version` picks the schema, so an invalid event is explained against its version, and a
// version not known yet (a newer producer) is parked as `unknown_version` rather than as a schema error.
import { auditEvent, type AuditEvent } from './event.ts';
import { fastPathByVersion, fastValidEvent } from './event.fastpath.ts';
import { eventSchemaByVersion, readableVersions } from './event.versions.ts';
import { decodeObject, fail, validateValue, type DecodeReason } from './json.decode.ts';

export type { DecodeReason };

export type DecodeResult =
  | { ok: true; event: AuditEvent }
  | { ok: false; reason: DecodeReason; step: 'decode' | 'validate'; detail: string };

export function decodeEvent(bytes: Buffer | null, maxBytes: number): DecodeResult {
  const o = decodeObject(bytes, maxBytes);
  if (!o.ok) return o;
  const version = o.value.schema_version;
  const schema = eventSchemaByVersion.get(version);
  if (schema === undefined && typeof version === 'number') {
    return fail('unknown_version', 'validate', `schema_version ${version} is not one this ingest reads (${readableVersions.join(', ')})`);
  }
  // A missing or non-numeric version goes to the union, whose discriminator issue names the field.
  const d = schema === undefined ? validateValue(o.value, auditEvent, fastValidEvent) : validateValue(o.value, schema, fastPathByVersion.get(version)!.validate);
  return d.ok ? { ok: true, event: d.value } : d;
}
