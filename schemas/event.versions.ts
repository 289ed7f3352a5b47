// The event contract versions ingest reads, by the `schema_version` an event carries: the options of
// the union in schemas/event.ts, so a version added there is read here with no other change.
import type { z } from 'zod';
import { auditEvent, type AuditEvent } from './event.ts';

export const eventSchemaByVersion: ReadonlyMap<unknown, z.ZodType<AuditEvent>> = new Map(
  auditEvent.options.map((schema) => [schema.shape.schema_version.value, schema as z.ZodType<AuditEvent>]),
);

/** The versions read, ascending (for messages). */
export const readableVersions: readonly number[] = [...eventSchemaByVersion.keys()].map(Number).sort((a, b) => a - b);
