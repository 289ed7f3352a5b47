// Incidents: list (filters, cursor pagination), detail with alerts and the evidence story, and
// status changes (acknowledge, resolve, false_positive, reopen) with note, actor and history.
// The handlers validate, call a view (api/views/incident.view.ts) and map its answer to HTTP.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { severities } from '../../schemas/alert.v1.ts';
import type { ApiDeps } from '../api.deps.ts';
import { cursorParam, filterString, limitParam, pageOf, sha256Id, timeParam } from '../api.schemas.ts';
import { authOf, tenantOf } from '../auth/auth.hook.ts';
import { AUTHED_ERRORS, HttpProblem, problemResponses } from '../problem.ts';
import { decodeCursor } from '../queries/cursor.ts';
import { incidentStatuses } from '../queries/incidents.queries.ts';
import { changeStatus, incidentDetail, incidentDetailOut, incidentPage, incidentSummary, statusChangeOut } from '../views/incident.view.ts';

const security = [{ apiKey: [] }];

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
      return incidentPage(ch, tenantOf(req), {
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
    },
  });

  app.get('/v1/incidents/:incident_id', {
    config: { scope: 'incidents:read' },
    schema: {
      tags: ['incidents'],
      summary: 'One incident: its alerts, the signals around them, status history, and the evidence events told as a story',
      security,
      params: idParams,
      response: { 200: incidentDetailOut, ...problemResponses(...AUTHED_ERRORS, 404) },
    },
    handler: async (req) => {
      const detail = await incidentDetail(ch, tenantOf(req), req.params.incident_id);
      if (!detail) throw new HttpProblem(404, 'no such incident');
      return detail;
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
      response: { 200: statusChangeOut, ...problemResponses(...AUTHED_ERRORS, 404) },
    },
    handler: async (req) => {
      const changed = await changeStatus(ch, writer, tenantOf(req), {
        incidentId: req.params.incident_id,
        action: req.body.action,
        note: req.body.note,
        actor: actorOf(authOf(req)),
        nowMs: Date.now(),
      });
      if (!changed) throw new HttpProblem(404, 'no such incident');
      return changed;
    },
  });
};

/** Who changed an incident: the API key that authenticated the request, by name and id. */
export function actorOf(auth: { keyId: string; keyName: string }): string {
  return auth.keyName ? `${auth.keyName} (key ${auth.keyId})` : `key ${auth.keyId}`;
}
