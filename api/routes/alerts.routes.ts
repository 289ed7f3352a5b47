// Alerts list: newest first, filtered by severity, user, rule, incident and time, cursor-paginated.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { severities } from '../../schemas/alert.v1.ts';
import type { ApiDeps } from '../api.deps.ts';
import { cursorParam, filterString, limitParam, pageOf, sha256Id, timeParam } from '../api.schemas.ts';
import { tenantOf } from '../auth/auth.hook.ts';
import { AUTHED_ERRORS, problemResponses } from '../problem.ts';
import { decodeCursor } from '../queries/cursor.ts';
import { alertOut, alertPage } from '../views/alert.view.ts';

export const alertsRoutes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  app.get('/v1/alerts', {
    config: { scope: 'incidents:read' },
    schema: {
      tags: ['alerts'],
      summary: 'List alerts, newest first',
      security: [{ apiKey: [] }],
      querystring: z.object({
        severity: z.enum(severities).optional(),
        user: filterString('User id').optional(),
        rule: filterString('Rule id').optional(),
        incident: sha256Id('Incident id').optional(),
        from: timeParam('Alerts at or after this time').optional(),
        to: timeParam('Alerts at or before this time').optional(),
        cursor: cursorParam,
        limit: limitParam,
      }),
      response: { 200: pageOf(alertOut), ...problemResponses(...AUTHED_ERRORS) },
    },
    handler: async (req) => {
      const q = req.query;
      return alertPage(deps.clickhouse, tenantOf(req), {
        ...(q.severity ? { severity: [q.severity] } : {}),
        ...(q.user !== undefined ? { user: q.user } : {}),
        ...(q.rule !== undefined ? { rule: q.rule } : {}),
        ...(q.incident !== undefined ? { incident: q.incident } : {}),
        ...(q.from !== undefined ? { from: q.from } : {}),
        ...(q.to !== undefined ? { to: q.to } : {}),
        cursor: decodeCursor(q.cursor),
        limit: q.limit,
      });
    },
  });
};
