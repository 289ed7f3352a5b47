// Every event version the pipeline accepts, side by side. Producers send the newest (v2); ingest,
// the detector and the API also take v1 so older capture components keep working during an upgrade.
import { z } from 'zod';
import { auditEventV1, type AuditEventV1 } from './event.v1.ts';
import { auditEventV2, type AuditEventV2 } from './event.v2.ts';

// Discriminated on `schema_version`: zod parses with the one version an event names, so an invalid
// event gets that version's precise issues instead of one vague "invalid union" issue.
export const auditEvent = z.discriminatedUnion('schema_version', [auditEventV2, auditEventV1]);
export type AuditEvent = AuditEventV1 | AuditEventV2;

export const CURRENT_SCHEMA_VERSION = 2;
