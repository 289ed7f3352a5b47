// The alert, version 1: what the detector produces to `mcp.audit.alerts` (key `tenant_id:user_id`),
// what ingest stores in ClickHouse `alerts`, and what the notifier turns into SIEM formats.
//
// `alert_id` is deterministic (see `alertId`): the same rule firing on the same evidence yields the
// same id, so a detector that replays after a crash produces a duplicate that every sink collapses
// (ClickHouse by key, the SIEM by `webhook-id`).
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const severities = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof severities)[number];

/** Numeric rank of a severity, for sorting and max() in SQL (stored as `severity_rank`). */
export const severityRank: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

const SHA256 = /^[0-9a-f]{64}$/;
const id = (max = 256) => z.string().min(1).max(max);

export const evidenceItem = z.strictObject({
  event_id: id(64),
  ts: z.iso.datetime({ offset: true }),
  kind: z.string().max(32),
  server_name: z.string().max(256),
  tool_name: z.string().max(256),
  tool_class: z.string().max(64).describe('Capability class, e.g. secret.read'),
  /** The most telling resource of the call: a path, host, recipient or table ('' if none). */
  resource: z.string().max(4096),
  status: z.string().max(16),
  /**
   * The call's arguments hash as the capture point computed it, with its algorithm:
   * `hmac-sha256:<hex>` (keyed, v2 events) or `sha256:<hex>` (v1). Lets a SIEM correlate the
   * finding with the call without the arguments themselves (OTel `...content.input.hash`).
   */
  arguments_hash: z
    .string()
    .regex(/^(hmac-sha256|sha256):[0-9a-f]{64}$/)
    .optional(),
});

export const alertV1 = z
  .strictObject({
    schema_version: z.literal(1),
    alert_id: z.string().regex(SHA256).describe('sha256 of tenant, rule id and version, and the evidence event ids'),
    incident_id: z.string().regex(SHA256).describe('Alerts of one user (or agent session) close in time share it'),
    tenant_id: id(128),
    user_id: id(256),
    session_id: z.string().max(256).describe("mcp.session.id of the last evidence event ('' if none)"),
    agent_id: z.string().max(256),
    client_name: z.string().max(256),
    rule: z.strictObject({
      id: id(128),
      version: z.number().int().min(1),
      title: id(512),
      // `risk`: the alert of a story whose signals added up (detector/rules/risk.ts).
      kind: z.enum(['sequence', 'threshold', 'pattern', 'first_seen', 'baseline', 'drift', 'risk']),
    }),
    severity: z.enum(severities),
    risk_score: z.number().int().min(0).max(100),
    summary: z.string().min(1).max(2048).describe('One sentence a person can act on'),
    /** Event time of the evidence event that completed the match. */
    ts: z.iso.datetime({ offset: true }),
    detected_at: z.iso.datetime({ offset: true }),
    evidence: z.array(evidenceItem).min(1).max(64).describe('The evidence events, in event-time order'),
    tags: z.array(z.string().max(64)).max(32).describe('Flow labels and techniques, e.g. external_sink'),
  })
  .describe('mcp-audit alert, version 1');

export type AlertV1 = z.infer<typeof alertV1>;
export type EvidenceItem = z.infer<typeof evidenceItem>;

/** Deterministic alert id: the same rule version on the same evidence always gives the same id. */
export function alertId(tenantId: string, ruleId: string, ruleVersion: number, evidenceEventIds: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify([tenantId, ruleId, ruleVersion, ...evidenceEventIds])).digest('hex');
}

/** Deterministic incident id from the scope (user or session) and the id of its first alert. */
export function incidentId(tenantId: string, scope: string, firstAlertId: string): string {
  return createHash('sha256').update(JSON.stringify([tenantId, scope, firstAlertId])).digest('hex');
}

/** The Kafka key of an alert: the same partitioning as the user's events. */
export function alertKey(a: Pick<AlertV1, 'tenant_id' | 'user_id'>): string {
  return `${a.tenant_id}:${a.user_id}`;
}
