// `mcp-audit/schema`: the audit event contract. The zod schemas are the source of truth (v2 is what
// capture emits; ingest, the detector and the API take v1 too); the JSON Schemas generated from them
// are exported beside as `mcp-audit/schema/event.v1.schema.json` and `.../event.v2.schema.json`.
export { auditEvent, CURRENT_SCHEMA_VERSION, type AuditEvent } from '../schemas/event.ts';
export { auditEventV1, eventKey, eventKinds, resultStatuses, DEFAULT_EVENT_MAX_BYTES, type AuditEventV1 } from '../schemas/event.v1.ts';
export { auditEventV2, episodeBases, fingerprintKinds, type AuditEventV2, type EpisodeBasis, type FingerprintKind } from '../schemas/event.v2.ts';
