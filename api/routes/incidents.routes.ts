// Incidents: list (filters, cursor pagination), detail with alerts and the evidence story, and
// status changes (acknowledge, resolve, false_positive, reopen) with note, actor and history.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { evidenceItem, severities, type EvidenceItem, type Severity } from '../../schemas/alert.v1.ts';
import type { ApiDeps } from '../api.deps.ts';
import { cursorParam, filterString, isoTime, limitParam, pageOf, sha256Id, timeParam, toIso } from '../api.schemas.ts';
import { authOf, tenantOf } from '../auth/auth.hook.ts';
import { AUTHED_ERRORS, HttpProblem, problemResponses } from '../problem.ts';
import { decodeCursor, page } from '../queries/cursor.ts';
import { evidenceEvents } from '../queries/events.queries.ts';
import {
  changeIncidentStatus,
  incidentAlerts,
  incidentHistory,
  incidentState,
  incidentStatuses,
  listIncidents,
  type AlertRowOut,
  type IncidentStatus,
  type IncidentSummaryRow,
} from '../queries/incidents.queries.ts';
import { incidentSignals } from '../queries/signals.queries.ts';
import { buildStory, storyStep } from '../story.ts';

const security = [{ apiKey: [] }];

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

const historyEntry = z.object({ status: z.string(), note: z.string(), actor: z.string(), changed_at: isoTime });

const actions = { acknowledge: 'acknowledged', resolve: 'resolved', false_positive: 'false_positive', reopen: 'open' } as const satisfies Record<string, IncidentStatus>;

const statusOf = (s: string): IncidentStatus => ((incidentStatuses as readonly string[]).includes(s) ? (s as IncidentStatus) : 'open');
const severityOf = (rank: number): Severity => severities[Math.min(Math.max(Number(rank), 0), severities.length - 1)]!;

function toSummary(r: IncidentSummaryRow) {
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

export function toAlertOut(a: AlertRowOut) {
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

function parseEvidence(a: AlertRowOut): EvidenceItem[] {
  try {
    const parsed = z.array(evidenceItem).safeParse(JSON.parse(a.evidence_json));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

const idParams = z.object({ incident_id: sha256Id('The incident id') });

export const incidentsRoutes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  const ch = deps.clickhouse;
  const writer = deps.clickhouseWriter ?? ch;

  app.get('/v1/incidents', {
    config: { scope: 'incidents:read' },
    schema: {
      tags: ['incidents'],
      summary: 'List incidents, newest last alert first',
      security,
      querystring: z.object({
        status: z.enum(incidentStatuses).optional(),
        severity: z.enum(severities).optional().describe('Incidents whose highest alert severity is this'),
        user: filterString('User id').optional(),
        rule: filterString('Rule id: incidents with at least one alert of this rule').optional(),
        from: timeParam('Incidents with an alert at or after this time').optional(),
        to: timeParam('Incidents with an alert at or before this time').optional(),
        text: filterString('Case-insensitive text in an alert summary, rule title, rule id or user id').optional(),
        cursor: cursorParam,
        limit: limitParam,
      }),
      response: { 200: pageOf(incidentSummary), ...problemResponses(...AUTHED_ERRORS) },
    },
    handler: async (req) => {
      const q = req.query;
      const fetched = await listIncidents(ch, tenantOf(req), {
        ...(q.status ? { status: [q.status] } : {}),
        ...(q.severity ? { severity: [q.severity] } : {}),
        ...(q.user !== undefined ? { user: q.user } : {}),
        ...(q.rule !== undefined ? { rule: q.rule } : {}),
        ...(q.text !== undefined ? { text: q.text } : {}),
        ...(q.from !== undefined ? { from: q.from } : {}),
        ...(q.to !== undefined ? { to: q.to } : {}),
        cursor: decodeCursor(q.cursor),
        limit: q.limit,
      });
      const p = page(fetched, q.limit, (r) => [Number(r.last_ms), r.incident_id]);
      return { items: p.items.map(toSummary), next_cursor: p.next_cursor };
    },
  });

  app.get('/v1/incidents/:incident_id', {
    config: { scope: 'incidents:read' },
    schema: {
      tags: ['incidents'],
      summary: 'One incident: its alerts, the signals around them, status history, and the evidence events told as a story',
      security,
      params: idParams,
      response: {
        200: z.object({
          incident: incidentSummary,
          note: z.string(),
          actor: z.string(),
          alerts: z.array(alertOut),
          signals: z.array(alertOut).describe('Signals of the same user from an hour before the first alert to the last: the weak evidence whose risk added up'),
          story: z.array(storyStep),
          history: z.array(historyEntry),
        }),
        ...problemResponses(...AUTHED_ERRORS, 404),
      },
    },
    handler: async (req) => {
      const scope = tenantOf(req);
      const id = req.params.incident_id;
      const [alerts, state, history] = await Promise.all([incidentAlerts(ch, scope, id), incidentState(ch, scope, id), incidentHistory(ch, scope, id)]);
      if (alerts.length === 0) throw new HttpProblem(404, 'no such incident');
      const alertTimes = alerts.map((a) => Number(a.ts_ms));
      const signals = await incidentSignals(ch, scope, [...new Set(alerts.map((a) => a.user_id))], Math.min(...alertTimes), Math.max(...alertTimes));
      const evidence = [...alerts, ...signals].flatMap(parseEvidence);
      const userOfEvent = new Map([...alerts, ...signals].flatMap((a) => a.evidence_event_ids.map((e) => [e, a.user_id] as const)));
      const times = evidence.map((e) => Date.parse(e.ts)).filter(Number.isFinite);
      const stored = times.length
        ? await evidenceEvents(ch, scope, [...userOfEvent.keys()], [...new Set(alerts.map((a) => a.user_id))], Math.min(...times) - 1000, Math.max(...times) + 1000)
        : [];
      const tsOf = alerts.map((a) => Number(a.ts_ms));
      const summary = toSummary({
        incident_id: id,
        user_id: alerts[0]!.user_id,
        session_id: alerts[alerts.length - 1]!.session_id,
        first_ms: Math.min(...tsOf),
        last_ms: Math.max(...tsOf),
        max_rank: Math.max(...alerts.map((a) => severities.indexOf(a.severity as Severity))),
        alert_count: alerts.length,
        rules: [...new Set(alerts.map((a) => a.rule_id))],
        status: state?.status ?? 'open',
      });
      return {
        incident: summary,
        note: state?.note ?? '',
        actor: state?.actor ?? '',
        alerts: alerts.map(toAlertOut),
        signals: signals.map(toAlertOut),
        story: buildStory(evidence, (e) => userOfEvent.get(e) ?? '', stored),
        history: history.map((h) => ({ status: h.status, note: h.note, actor: h.actor, changed_at: toIso(h.changed_at_ms) })),
      };
    },
  });

  app.post('/v1/incidents/:incident_id/status', {
    config: { scope: 'incidents:write' },
    schema: {
      tags: ['incidents'],
      summary: 'Change the status of an incident (acknowledge, resolve, false_positive, reopen)',
      security,
      params: idParams,
      // Strict: the actor is the API key that made the change, never a claim in the body.
      body: z.strictObject({
        action: z.enum(['acknowledge', 'resolve', 'false_positive', 'reopen']),
        note: z.string().max(4096).default(''),
      }),
      response: {
        200: z.object({ incident_id: z.string(), status: z.enum(incidentStatuses), note: z.string(), actor: z.string(), changed_at: isoTime }),
        ...problemResponses(...AUTHED_ERRORS, 404),
      },
    },
    handler: async (req) => {
      const scope = tenantOf(req);
      const auth = authOf(req);
      const id = req.params.incident_id;
      const [state, alerts] = await Promise.all([incidentState(ch, scope, id), incidentAlerts(ch, scope, id)]);
      if (!state && alerts.length === 0) throw new HttpProblem(404, 'no such incident');
      const status = actions[req.body.action];
      const actor = actorOf(auth);
      // Later than the current row even if clocks disagree, so the new status always wins.
      const atMs = Math.max(Date.now(), Number(state?.version ?? 0) + 1);
      await changeIncidentStatus(writer, scope, {
        incidentId: id,
        userId: state?.user_id ?? alerts[0]?.user_id ?? '',
        sessionId: state?.session_id ?? alerts[0]?.session_id ?? '',
        status,
        note: req.body.note,
        actor,
        atMs,
      });
      return { incident_id: id, status, note: req.body.note, actor, changed_at: toIso(atMs) };
    },
  });
};

/** Who changed an incident: the API key that authenticated the request, by name and id. */
export function actorOf(auth: { keyId: string; keyName: string }): string {
  return auth.keyName ? `${auth.keyName} (key ${auth.keyId})` : `key ${auth.keyId}`;
}
