// Elastic Common Schema shaped alert: `@timestamp`, `event.kind: alert` with an allowed category and
// type, `rule.*`, `user.id`, `organization.id`, `message`, `tags`, and the rule tags as MITRE
// ATT&CK `threat.*` (tactics and techniques as parallel arrays, the way Elastic's own detection
// rules fill them); mcp-audit specifics (evidence, incident, the OWASP and ATLAS ids ECS has no
// field for) under the custom `mcp_audit` field set, as ECS advises for fields it does not define.
import type { AlertV1, Severity } from '../schemas/alert.v1.ts';
import { severityRank } from '../schemas/alert.v1.ts';
import { classifyTags, referenceUrl, type AttackRef, type TaxonomyRef } from './threat.taxonomy.ts';

export const ECS_VERSION = '8.11.0';

/** ECS `event.severity` is numeric and source-defined; 21/47/73/99 follow Elastic's own rules. */
const ecsSeverity: Record<Severity, number> = { info: 0, low: 21, medium: 47, high: 73, critical: 99 };

export function ecsAlert(alert: AlertV1): Record<string, unknown> {
  const meaning = classifyTags(alert.tags);
  const threat = ecsThreat(meaning.attacks.filter((a) => a.framework === 'MITRE ATT&CK'));
  const atlas = meaning.attacks.filter((a) => a.framework === 'MITRE ATLAS');
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
    ...(threat ? { threat } : {}),
    mcp_audit: {
      incident_id: alert.incident_id,
      session_id: alert.session_id,
      agent_id: alert.agent_id,
      client_name: alert.client_name,
      severity: alert.severity,
      severity_rank: severityRank[alert.severity],
      evidence: alert.evidence,
      ...(meaning.owasp.length > 0 ? { owasp: meaning.owasp } : {}),
      ...(atlas.length > 0 ? { atlas: { technique_id: unique(atlas.flatMap((a) => [a.technique, a.subTechnique]).filter(isRef).map((r) => r.uid)) } } : {}),
    },
  };
}

/** ECS `threat.*` holds one framework per document: ATT&CK here; ids, names and references line up. */
function ecsThreat(attacks: readonly AttackRef[]): Record<string, unknown> | null {
  if (attacks.length === 0) return null;
  const tactics = uniqueRefs(attacks.map((a) => a.tactic));
  const techniques = uniqueRefs(attacks.map((a) => a.technique));
  const subs = uniqueRefs(attacks.map((a) => a.subTechnique));
  const fields = (refs: TaxonomyRef[]) => ({
    id: refs.map((r) => r.uid),
    name: refs.map((r) => r.name),
    reference: refs.map((r) => referenceUrl('MITRE ATT&CK', r.uid)),
  });
  return {
    framework: 'MITRE ATT&CK',
    ...(tactics.length > 0 ? { tactic: fields(tactics) } : {}),
    ...(techniques.length > 0 ? { technique: { ...fields(techniques), ...(subs.length > 0 ? { subtechnique: fields(subs) } : {}) } } : {}),
  };
}

const isRef = (r: TaxonomyRef | undefined): r is TaxonomyRef => r !== undefined;
const unique = (xs: string[]) => [...new Set(xs)];
const uniqueRefs = (refs: (TaxonomyRef | undefined)[]) => [...new Map(refs.filter(isRef).map((r) => [r.uid, r])).values()];

export function ecsBody(alert: AlertV1): string {
  return JSON.stringify(ecsAlert(alert));
}
