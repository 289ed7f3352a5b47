// Turns a RuleMatch into the alert contract (schemas/alert.v1.ts). The alert id is deterministic:
// the same rule version on the same evidence always gives the same id.
import { alertId, type AlertV1, type EvidenceItem } from '../../schemas/alert.v1.ts';
import type { AuditEvent } from '../../schemas/event.ts';
import type { RuleMatch } from './rule.types.ts';

export interface AlertContext {
  incidentId: string;
  detectedAt: Date;
}

export function toAlert(match: RuleMatch, { incidentId, detectedAt }: AlertContext): AlertV1 {
  const evidence = match.evidence;
  const last = evidence[evidence.length - 1]!;
  return {
    schema_version: 1,
    alert_id: alertId(last.tenant_id, match.rule.id, match.rule.version, evidence.map((e) => e.event_id)),
    incident_id: incidentId,
    tenant_id: last.tenant_id,
    user_id: last.actor.user_id,
    session_id: last.mcp.session_id ?? '',
    agent_id: last.actor.agent_id ?? '',
    client_name: last.actor.client_name ?? '',
    rule: { ...match.rule },
    severity: match.severity,
    risk_score: match.risk_score,
    summary: match.summary,
    ts: last.ts,
    detected_at: detectedAt.toISOString(),
    evidence: evidence.map((e, i) => evidenceItem(e, match.evidence_classes[i] ?? '')),
    tags: match.tags.map((t) => t.slice(0, 64)).slice(0, 32),
  };
}

export function evidenceItem(e: AuditEvent, toolClass: string): EvidenceItem {
  const r = e.resource;
  const hash = argumentsHash(e);
  return {
    event_id: e.event_id,
    ts: e.ts,
    kind: e.kind,
    server_name: e.server.name,
    tool_name: e.tool?.name ?? '',
    tool_class: toolClass.slice(0, 64),
    resource: (r?.paths?.[0] ?? r?.hosts?.[0] ?? r?.recipients?.[0] ?? r?.tables?.[0] ?? r?.urls?.[0] ?? '').slice(0, 4096),
    status: e.result?.status ?? '',
    ...(hash ? { arguments_hash: hash } : {}),
  };
}

/** The arguments hash with its algorithm: keyed in v2 events, plain sha256 in v1. */
function argumentsHash(e: AuditEvent): string | undefined {
  if (e.schema_version === 2) return e.arguments?.hmac_sha256 ? `hmac-sha256:${e.arguments.hmac_sha256}` : undefined;
  return e.arguments?.sha256 ? `sha256:${e.arguments.sha256}` : undefined;
}
