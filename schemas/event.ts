// Every event version the pipeline accepts, side by side. Producers send the newest (v2); ingest,
// the detector and the API also take v1 so older capture components keep working during an upgrade.
import { z } from 'zod';
import { auditEventV1, type AuditEventV1 } from './event.v1.ts';
import { auditEventV2, type AuditEventV2 } from './event.v2.ts';

export const auditEvent = z.union([auditEventV2, auditEventV1]);
export type AuditEvent = AuditEventV1 | AuditEventV2;

export const CURRENT_SCHEMA_VERSION = 2;
