// Incidents as the API shows them: the list, the detail (alerts, the signals around them, status
// history, and the evidence told as a story) and a status change. The reads are here; the
// assembly of the detail is a pure function of what was read (`incidentDetailOf`), tested alone.
import type { ClickHouseClient } from '../../core/clickhouse.ts';
import { z } from 'zod';
import { evidenceItem, severities, type EvidenceItem, type Severity } from '../../schemas/alert.v1.ts';
import { isoTime, toIso } from '../api.schemas.ts';
import { page } from '../queries/cursor.ts';
import { evidenceEvents, type EventRowOut } from '../queries/events.queries.ts';
import {
  changeIncidentStatus,
  incidentAlerts,
  incidentHistory,
  incidentState,
  incidentStatuses,
  listIncidents,
  type AlertRowOut,
  type HistoryRow,
  type IncidentFilter,
  type IncidentStateRow,
  type IncidentStatus,
  type IncidentSummaryRow,
} from '../queries/incidents.queries.ts';
import { incidentSignals } from '../queries/signals.queries.ts';
import type { TenantScope } from '../queries/tenant.scope.ts';
import { alertOut, toAlertOut } from './alert.view.ts';
import { buildStory, storyStep } from './incident.story.ts';

export const incidentSummary = z
  .object({
    incident_id: z.string(),
    user_id: z.string(),
    session_id: z.string(),
    status: z.enum(incidentStatuses),
    severity: z.enum(severities).describe('Highest severity of its alerts'),
    first_alert_at: isoTime,
    last_alert_at: isoTime,
    alert_count: z.number().int(),
    rules: z.array(z.string()),
  })
  .meta({ id: 'IncidentSummary' });
export type IncidentSummary = z.infer<typeof incidentSummary>;

const historyEntry = z.object({ status: z.string(), note: z.string(), actor: z.string(), changed_at: isoTime });

export const incidentDetailOut = z.object({
  incident: incidentSummary,
  note: z.string(),
  actor: z.string(),
  alerts: z.array(alertOut),
  signals: z.array(alertOut).describe('Signals of the same user from an hour before the first alert to the last: the weak evidence whose risk added up'),
  story: z.array(storyStep),
  history: z.array(historyEntry),
});
export type IncidentDetail = z.infer<typeof incidentDetailOut>;

export const statusChangeOut = z.object({ incident_id: z.string(), status: z.enum(incidentStatuses), note: z.string(), actor: z.string(), changed_at: isoTime });
export type StatusChange = z.infer<typeof statusChangeOut>;

/** What each action of the status endpoint sets. */
export const statusActions = { acknowledge: 'acknowledged', resolve: 'resolved', false_positive: 'false_positive', reopen: 'open' } as const satisfies Record<
  string,
  IncidentStatus
>;
export type StatusAction = keyof typeof statusActions;

const statusOf = (s: string): IncidentStatus => ((incidentStatuses as readonly string[]).includes(s) ? (s as IncidentStatus) : 'open');
const severityOf = (rank: number): Severity => severities[Math.min(Math.max(Number(rank), 0), severities.length - 1)]!;

function toSummary(r: IncidentSummaryRow): IncidentSummary {
  return {
    incident_id: r.incident_id,
    user_id: r.user_id,
    session_id: r.session_id,
    status: statusOf(r.status),
    severity: severityOf(r.max_rank),
    first_alert_at: toIso(r.first_ms),
    last_alert_at: toIso(r.last_ms),
    alert_count: Number(r.alert_count),
    rules: r.rules,
  };
}

/** One page of incidents, newest last alert first. */
export async function incidentPage(ch: ClickHouseClient, scope: TenantScope, f: IncidentFilter): Promise<{ items: IncidentSummary[]; next_cursor: string | null }> {
  const p = page(await listIncidents(ch, scope, f), f.limit, (r) => [Number(r.last_ms), r.incident_id]);
  return { items: p.items.map(toSummary), next_cursor: p.next_cursor };
}

/** The evidence an alert carried (stored as JSON); none when it does not parse. */
function parseEvidence(a: AlertRowOut): EvidenceItem[] {
  try {
    const parsed = z.array(evidenceItem).safeParse(JSON.parse(a.evidence_json));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

/** The evidence of an incident's alerts and signals, and which stored events would tell it best. */
export function incidentEvidence(alerts: readonly AlertRowOut[], signals: readonly AlertRowOut[]) {
  const all = [...alerts, ...signals];
  const evidence = all.flatMap(parseEvidence);
  const userOfEvent = new Map(all.flatMap((a) => a.evidence_event_ids.map((e) => [e, a.user_id] as const)));
  const times = evidence.map((e) => Date.parse(e.ts)).filter(Number.isFinite);
  return {
    evidence,
    userOfEvent,
    /** The stored events to look up (none when no evidence has a time), one second either side. */
    lookup: times.length
      ? { eventIds: [...userOfEvent.keys()], users: [...new Set(alerts.map((a) => a.user_id))], fromMs: Math.min(...times) - 1000, toMs: Math.max(...times) + 1000 }
      : null,
  };
}

/** The parts of an incident as read from ClickHouse; `alerts` is not empty. */
export interface IncidentParts {
  incidentId: string;
  alerts: readonly AlertRowOut[];
  signals: readonly AlertRowOut[];
  state: IncidentStateRow | null;
  history: readonly HistoryRow[];
  /** The stored events of the evidence that ingest has. */
  stored: readonly EventRowOut[];
}

/** The detail of an incident from its parts: the summary is made from its alerts, the story from all evidence. */
export function incidentDetailOf(p: IncidentParts): IncidentDetail {
  const { alerts, signals, state } = p;
  const { evidence, userOfEvent } = incidentEvidence(alerts, signals);
  const tsOf = alerts.map((a) => Number(a.ts_ms));
  return {
    incident: toSummary({
      incident_id: p.incidentId,
      user_id: alerts[0]!.user_id,
      session_id: alerts[alerts.length - 1]!.session_id,
      first_ms: Math.min(...tsOf),
      last_ms: Math.max(...tsOf),
      max_rank: Math.max(...alerts.map((a) => severities.indexOf(a.severity as Severity))),
      alert_count: alerts.length,
      rules: [...new Set(alerts.map((a) => a.rule_id))],
      status: state?.status ?? 'open',
    }),
    note: state?.note ?? '',
    actor: state?.actor ?? '',
    alerts: alerts.map(toAlertOut),
    signals: signals.map(toAlertOut),
    story: buildStory(evidence, (e) => userOfEvent.get(e) ?? '', p.stored),
    history: p.history.map((h) => ({ status: h.status, note: h.note, actor: h.actor, changed_at: toIso(h.changed_at_ms) })),
  };
}

/** An incident's detail; null when the tenant has no alert of that incident. */
export async function incidentDetail(ch: ClickHouseClient, scope: TenantScope, incidentId: string): Promise<IncidentDetail | null> {
  const [alerts, state, history] = await Promise.all([incidentAlerts(ch, scope, incidentId), incidentState(ch, scope, incidentId), incidentHistory(ch, scope, incidentId)]);
  if (alerts.length === 0) return null;
  const alertTimes = alerts.map((a) => Number(a.ts_ms));
  const signals = await incidentSignals(ch, scope, [...new Set(alerts.map((a) => a.user_id))], Math.min(...alertTimes), Math.max(...alertTimes));
  const { lookup } = incidentEvidence(alerts, signals);
  const stored = lookup ? await evidenceEvents(ch, scope, lookup.eventIds, lookup.users, lookup.fromMs, lookup.toMs) : [];
  return incidentDetailOf({ incidentId, alerts, signals, state, history, stored });
}

/**
 * Changes an incident's status (written through `writer`, which may differ from the reading
 * client); null when the incident has neither a state nor an alert.
 */
export async function changeStatus(
  ch: ClickHouseClient,
  writer: ClickHouseClient,
  scope: TenantScope,
  change: { incidentId: string; action: StatusAction; note: string; actor: string; nowMs: number },
): Promise<StatusChange | null> {
  const id = change.incidentId;
  const [state, alerts] = await Promise.all([incidentState(ch, scope, id), incidentAlerts(ch, scope, id)]);
  if (!state && alerts.length === 0) return null;
  const status = statusActions[change.action];
  // Later than the current row even if clocks disagree, so the new status always wins.
  const atMs = Math.max(change.nowMs, Number(state?.version ?? 0) + 1);
  await changeIncidentStatus(writer, scope, {
    incidentId: id,
    userId: state?.user_id ?? alerts[0]?.user_id ?? '',
    sessionId: state?.session_id ?? alerts[0]?.session_id ?? '',
    status,
    note: change.note,
    actor: change.actor,
    atMs,
  });
  return { incident_id: id, status, note: change.note, actor: change.actor, changed_at: toIso(atMs) };
}
