// Alerts as the API shows them (also inside an incident, and signals in the same shape), and the
// alert list: one page of stored rows mapped to that shape.
import type { ClickHouseClient } from '../../core/clickhouse.ts';
import { z } from 'zod';
import { isoTime, toIso } from '../api.schemas.ts';
import { listAlerts, type AlertFilter } from '../queries/alerts.queries.ts';
import { page } from '../queries/cursor.ts';
import type { AlertRowOut } from '../queries/incidents.queries.ts';
import type { TenantScope } from '../queries/tenant.scope.ts';

export const alertOut = z
  .object({
    alert_id: z.string(),
    incident_id: z.string(),
    user_id: z.string(),
    session_id: z.string(),
    agent_id: z.string(),
    client_name: z.string(),
    rule: z.object({ id: z.string(), version: z.number().int(), title: z.string(), kind: z.string() }),
    severity: z.string(),
    risk_score: z.number().int(),
    summary: z.string(),
    ts: isoTime,
    detected_at: isoTime,
    evidence_event_ids: z.array(z.string()),
    tags: z.array(z.string()),
  })
  .meta({ id: 'Alert' });
export type AlertOut = z.infer<typeof alertOut>;

export function toAlertOut(a: AlertRowOut): AlertOut {
  return {
    alert_id: a.alert_id,
    incident_id: a.incident_id,
    user_id: a.user_id,
    session_id: a.session_id,
    agent_id: a.agent_id,
    client_name: a.client_name,
    rule: { id: a.rule_id, version: Number(a.rule_version), title: a.rule_title, kind: a.rule_kind },
    severity: a.severity,
    risk_score: Number(a.risk_score),
    summary: a.summary,
    ts: toIso(a.ts_ms),
    detected_at: toIso(Number(a.detected_at) * 1000),
    evidence_event_ids: a.evidence_event_ids,
    tags: a.tags,
  };
}

/** One page of alerts, newest first. */
export async function alertPage(ch: ClickHouseClient, scope: TenantScope, f: AlertFilter): Promise<{ items: AlertOut[]; next_cursor: string | null }> {
  const p = page(await listAlerts(ch, scope, f), f.limit, (r) => [Number(r.ts_ms), r.alert_id]);
  return { items: p.items.map(toAlertOut), next_cursor: p.next_cursor };
}
