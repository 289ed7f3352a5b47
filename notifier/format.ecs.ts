// Elastic Common Schema shaped alert: `@timestamp`, `event.kind: alert` with an allowed category and
// type, `rule.*`, `user.id`, `organization.id`, `message`, `tags`; mcp-audit specifics (evidence,
// incident) under the custom `mcp_audit` field set, as ECS advises for fields it does not define.
import type { AlertV1, Severity } from '../schemas/alert.v1.ts';
import { severityRank } from '../schemas/alert.v1.ts';

export const ECS_VERSION = '8.11.0';

/** ECS `event.severity` is numeric and source-defined; 21/47/73/99 follow Elastic's own rules. */
const ecsSeverity: Record<Severity, number> = { info: 0, low: 21, medium: 47, high: 73, critical: 99 };

export function ecsAlert(alert: AlertV1): Record<string, unknown> {
  return {
    '@timestamp': alert.ts,
    ecs: { version: ECS_VERSION },
    message: alert.summary,
    tags: alert.tags,
    event: {
      kind: 'alert',
      category: ['intrusion_detection'],
      type: ['info'],
      id: alert.alert_id,
      created: alert.detected_at,
      severity: ecsSeverity[alert.severity],
      risk_score: alert.risk_score,
      reason: alert.summary,
      module: 'mcp_audit',
      dataset: 'mcp_audit.alert',
      provider: 'mcp-audit',
    },
    rule: {
      id: alert.rule.id,
      name: alert.rule.title,
      version: String(alert.rule.version),
      category: alert.rule.kind,
      ruleset: 'mcp-audit',
    },
    user: { id: alert.user_id, name: alert.user_id },
    organization: { id: alert.tenant_id },
    observer: { vendor: 'mcp-audit', product: 'mcp-audit', type: 'ids' },
    mcp_audit: {
      incident_id: alert.incident_id,
      session_id: alert.session_id,
      agent_id: alert.agent_id,
      client_name: alert.client_name,
      severity: alert.severity,
      severity_rank: severityRank[alert.severity],
      evidence: alert.evidence,
    },
  };
}

export function ecsBody(alert: AlertV1): string {
  return JSON.stringify(ecsAlert(alert));
}
