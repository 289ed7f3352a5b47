// OCSF Detection Finding (class_uid 2004, category Findings = 2), schema 1.9.0, with no profile:
// every attribute below is an attribute of the class itself, so any OCSF 1.9 consumer accepts it.
// Set: the required activity_id, category_uid, class_uid, type_uid (= class_uid * 100 +
// activity_id), time, severity_id, metadata {product, version} and finding_info {uid, title}; the
// recommended status_id, message, is_alert, risk_score; the evidence as `related_events` (what
// happened, in order) and as `evidences` (who did it: the user, the MCP client, the AI agent of
// 1.9.0, and the MCP server and tool as the API called); rule tags as MITRE ATT&CK/ATLAS
// `finding_info.attacks` and OWASP identifiers in `finding_info.tags`. A test validates the output
// against the 1.9.0 JSON schema (test/notifier.ocsf-schema.test.ts).
import type { AlertV1, EvidenceItem, Severity } from '../schemas/alert.v1.ts';
import { classifyTags, referenceUrl, type AttackRef } from './threat.taxonomy.ts';

export const OCSF_VERSION = '1.9.0';
export const DETECTION_FINDING_CLASS_UID = 2004;
export const FINDINGS_CATEGORY_UID = 2;
const ACTIVITY_CREATE = 1;

/** The enum values of the attributes we set, as OCSF 1.9 defines them for the Detection Finding. */
export const ocsfEnums = {
  activity_id: { 0: 'Unknown', 1: 'Create', 2: 'Update', 3: 'Close', 99: 'Other' },
  severity_id: { 0: 'Unknown', 1: 'Informational', 2: 'Low', 3: 'Medium', 4: 'High', 5: 'Critical', 6: 'Fatal', 99: 'Other' },
  status_id: { 0: 'Unknown', 1: 'New', 2: 'In Progress', 3: 'Suppressed', 4: 'Resolved', 5: 'Archived', 6: 'Deleted', 99: 'Other' },
  analytic_type_id: { 0: 'Unknown', 1: 'Rule', 2: 'Behavioral', 3: 'Statistical', 4: 'Learning (ML/DL)', 5: 'Fingerprinting', 6: 'Tagging', 7: 'Keyword Match', 8: 'Regular Expressions', 9: 'Exact Data Match', 10: 'Partial Data Match', 11: 'Indexed Data Match', 99: 'Other' },
} as const;

const severityId: Record<Severity, 1 | 2 | 3 | 4 | 5> = { info: 1, low: 2, medium: 3, high: 4, critical: 5 };

/** Baseline and first-seen rules learn from behaviour; the others are rules proper. */
const analyticType = (kind: AlertV1['rule']['kind']): 1 | 2 | 3 =>
  kind === 'baseline' ? 3 : kind === 'first_seen' ? 2 : 1;

/** OCSF tag names of the OWASP lists (finding_info.tags is a list of key:value objects). */
const owaspTagName = (id: string): string =>
  id.startsWith('LLM') ? 'owasp_llm_top10_2025' : id.startsWith('ASI') ? 'owasp_agentic_top10_2026' : 'owasp_mcp_top10_2025';

export function ocsfDetectionFinding(alert: AlertV1): Record<string, unknown> {
  const sev = severityId[alert.severity];
  const times = alert.evidence.map((e) => Date.parse(e.ts));
  const analyticTypeId = analyticType(alert.rule.kind);
  const meaning = classifyTags(alert.tags);
  const owaspTags = groupOwasp(meaning.owasp);
  return {
    activity_id: ACTIVITY_CREATE,
    activity_name: ocsfEnums.activity_id[ACTIVITY_CREATE],
    category_uid: FINDINGS_CATEGORY_UID,
    category_name: 'Findings',
    class_uid: DETECTION_FINDING_CLASS_UID,
    class_name: 'Detection Finding',
    type_uid: DETECTION_FINDING_CLASS_UID * 100 + ACTIVITY_CREATE,
    type_name: 'Detection Finding: Create',
    // OCSF timestamps are epoch milliseconds; `time` is when the finding was created.
    time: Date.parse(alert.detected_at),
    start_time: Math.min(...times),
    end_time: Math.max(...times),
    severity_id: sev,
    severity: ocsfEnums.severity_id[sev],
    // The finding is new for its consumer; triage state lives in the incident API.
    status_id: 1,
    status: ocsfEnums.status_id[1],
    is_alert: true,
    message: alert.summary,
    risk_score: alert.risk_score,
    metadata: {
      version: OCSF_VERSION,
      product: { name: 'mcp-audit', vendor_name: 'mcp-audit', feature: { name: 'detector' } },
      uid: alert.alert_id,
      correlation_uid: alert.incident_id,
      tenant_uid: alert.tenant_id,
      labels: alert.tags,
    },
    finding_info: {
      uid: alert.alert_id,
      title: alert.rule.title,
      desc: alert.summary,
      types: [alert.rule.kind],
      created_time: Date.parse(alert.detected_at),
      first_seen_time: Math.min(...times),
      last_seen_time: Math.max(...times),
      analytic: {
        uid: alert.rule.id,
        name: alert.rule.title,
        version: String(alert.rule.version),
        type_id: analyticTypeId,
        type: ocsfEnums.analytic_type_id[analyticTypeId],
      },
      ...(meaning.attacks.length > 0 ? { attacks: meaning.attacks.map(ocsfAttack) } : {}),
      ...(owaspTags.length > 0 ? { tags: owaspTags } : {}),
      related_events: alert.evidence.map((e) => ({
        uid: e.event_id,
        type: e.kind,
        title: `${e.server_name}/${e.tool_name}`,
        desc: `${e.kind} ${e.server_name}/${e.tool_name} (${e.tool_class}) ${e.status}${e.resource ? ` on ${e.resource}` : ''}`,
        first_seen_time: Date.parse(e.ts),
      })),
    },
    evidences: alert.evidence.map((e) => ocsfEvidence(alert, e)),
    unmapped: { tenant_id: alert.tenant_id, agent_id: alert.agent_id, incident_id: alert.incident_id, tags: alert.tags },
  };
}

/** One evidence artifact per evidence event: who called which tool of which MCP server, on what. */
function ocsfEvidence(alert: AlertV1, e: EvidenceItem): Record<string, unknown> {
  const agent = ocsfAiAgent(alert);
  return {
    uid: e.event_id,
    name: e.tool_class || e.kind,
    actor: {
      user: { uid: alert.user_id, name: alert.user_id },
      ...(alert.session_id ? { session: { uid: alert.session_id } } : {}),
      ...(alert.client_name ? { app_name: alert.client_name } : {}),
    },
    ...(agent ? { ai_agent: agent } : {}),
    // The MCP server is the service, the tool the operation; the resource it touched is the request's.
    api: {
      operation: e.tool_name || e.kind,
      service: { name: e.server_name },
      ...(e.resource ? { request: { uid: e.event_id, data: { resource: e.resource, status: e.status } } } : {}),
    },
  };
}

/** OCSF 1.9's AI agent: the stable agent id, the MCP client's name, the session as its instance. */
function ocsfAiAgent(alert: AlertV1): Record<string, unknown> | null {
  if (!alert.agent_id && !alert.client_name) return null;
  return {
    ...(alert.agent_id ? { uid: alert.agent_id } : {}),
    ...(alert.client_name ? { name: alert.client_name } : {}),
    ...(alert.session_id ? { instance_uid: alert.session_id } : {}),
  };
}

/** ATT&CK or ATLAS ids, each with its public page; `tactic` (singular) is current, `tactics` deprecated. */
function ocsfAttack(a: AttackRef): Record<string, unknown> {
  const ref = (r: { uid: string; name: string }) => ({ uid: r.uid, name: r.name, src_url: referenceUrl(a.framework, r.uid) });
  return {
    ...(a.tactic ? { tactic: ref(a.tactic) } : {}),
    ...(a.technique ? { technique: ref(a.technique) } : {}),
    ...(a.subTechnique ? { sub_technique: ref(a.subTechnique) } : {}),
  };
}

function groupOwasp(ids: readonly string[]): { name: string; values: string[] }[] {
  const byList = new Map<string, string[]>();
  for (const id of ids) {
    const name = owaspTagName(id);
    byList.set(name, [...(byList.get(name) ?? []), id]);
  }
  return [...byList].map(([name, values]) => ({ name, values }));
}

export function ocsfBody(alert: AlertV1): string {
  return JSON.stringify(ocsfDetectionFinding(alert));
}
