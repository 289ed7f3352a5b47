// OCSF Detection Finding (class_uid 2004, category Findings = 2), schema 1.3.0. Every attribute the
// class requires is set: activity_id, category_uid, class_uid, type_uid (= class_uid * 100 +
// activity_id), time, severity_id, metadata {product {name, vendor_name}, version} and
// finding_info {uid, title}; plus the recommended status_id, message, is_alert and the evidence
// as related events. Enum values are the ones the schema defines (ocsfEnums below, tested).
import type { AlertV1, Severity } from '../schemas/alert.v1.ts';

export const OCSF_VERSION = '1.3.0';
export const DETECTION_FINDING_CLASS_UID = 2004;
export const FINDINGS_CATEGORY_UID = 2;
const ACTIVITY_CREATE = 1;

/** The enum values of the attributes we set, as OCSF 1.3 defines them. */
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

export function ocsfDetectionFinding(alert: AlertV1): Record<string, unknown> {
  const sev = severityId[alert.severity];
  const times = alert.evidence.map((e) => Date.parse(e.ts));
  const analyticTypeId = analyticType(alert.rule.kind);
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
      related_events: alert.evidence.map((e) => ({
        uid: e.event_id,
        type: e.tool_class,
        product_uid: e.server_name,
        desc: `${e.kind} ${e.server_name}/${e.tool_name} ${e.status}${e.resource ? ` on ${e.resource}` : ''}`,
      })),
    },
    actor: {
      user: { uid: alert.user_id, name: alert.user_id },
      ...(alert.session_id ? { session: { uid: alert.session_id } } : {}),
      ...(alert.client_name ? { app_name: alert.client_name } : {}),
    },
    unmapped: { tenant_id: alert.tenant_id, agent_id: alert.agent_id, incident_id: alert.incident_id },
  };
}

export function ocsfBody(alert: AlertV1): string {
  return JSON.stringify(ocsfDetectionFinding(alert));
}
