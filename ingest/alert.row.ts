// Flattens a validated alert into its ClickHouse rows: one `alerts` row (migrations/0002), and an
// `incidents` row with status 'open' and version 0, so the incident exists as soon as its first
// alert is stored while any later status change by a person (a higher version) still wins.
import { severityRank, type AlertV1 } from '../schemas/alert.v1.ts';
import type { KafkaOrigin } from './event.row.ts';
import { isoToMs } from '../core/iso.time.ts';

export type AlertRow = ReturnType<typeof toAlertRow>;
export type IncidentRow = ReturnType<typeof toIncidentOpenRow>;

export function toAlertRow(a: AlertV1, origin: KafkaOrigin, ingestedAtSec: number) {
  const tsMs = isoToMs(a.ts);
  return {
    alert_id: a.alert_id,
    incident_id: a.incident_id,
    tenant_id: a.tenant_id,
    user_id: a.user_id,
    session_id: a.session_id,
    agent_id: a.agent_id,
    client_name: a.client_name,
    rule_id: a.rule.id,
    rule_version: a.rule.version,
    rule_title: a.rule.title,
    rule_kind: a.rule.kind,
    severity: a.severity,
    severity_rank: severityRank[a.severity],
    risk_score: a.risk_score,
    summary: a.summary,
    ts: Math.floor(tsMs / 1000),
    ts_ms: tsMs,
    detected_at: Math.floor(isoToMs(a.detected_at) / 1000),
    evidence_event_ids: a.evidence.map((e) => e.event_id),
    evidence_json: JSON.stringify(a.evidence),
    tags: a.tags,
    kafka_topic: origin.topic,
    kafka_partition: origin.partition,
    kafka_offset: origin.offset,
    ingested_at: ingestedAtSec,
  };
}

export function toIncidentOpenRow(a: AlertV1, ingestedAtSec: number) {
  return {
    tenant_id: a.tenant_id,
    incident_id: a.incident_id,
    user_id: a.user_id,
    session_id: a.session_id,
    status: 'open',
    note: '',
    actor: 'mcp-audit',
    version: 0,
    updated_at: ingestedAtSec,
  };
}
