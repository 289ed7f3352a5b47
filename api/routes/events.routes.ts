// Events: search (user, session, tool, class, server, status, kind, time range) and
// POST /v1/events, the HTTP ingest for components that cannot speak Kafka: one JSON event, or an
// NDJSON batch (`application/x-ndjson`), each validated against its own contract version (v1 or v2)
// (api/views/event.intake.ts) and produced to Kafka with the producer library. Every event must
// belong to the API key's tenant.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditEvent } from '../../schemas/event.ts';
import { eventKinds, resultStatuses } from '../../schemas/event.v1.ts';
import type { ApiDeps } from '../api.deps.ts';
import type { ApiMetrics } from '../api.metrics.ts';
import { cursorParam, filterString, limitParam, pageOf, timeParam } from '../api.schemas.ts';
import { authOf, tenantOf } from '../auth/auth.hook.ts';
import { AUTHED_ERRORS, HttpProblem, problemResponses } from '../problem.ts';
import { decodeCursor } from '../queries/cursor.ts';
import { checkIntake, FOREIGN_TENANT } from '../views/event.intake.ts';
import { eventOut, eventPage } from '../views/event.view.ts';

const DAY_MS = 86_400_000;

export const NDJSON = 'application/x-ndjson';

const ingestResult = z.object({
  accepted: z.number().int(),
  rejected: z.number().int(),
  errors: z.array(z.object({ index: z.number().int().describe('0-based position of the event in the batch'), issues: z.array(z.string()) })),
});

export const eventsRoutes: FastifyPluginAsyncZod<{ deps: ApiDeps; metrics: ApiMetrics }> = async (app, { deps, metrics }) => {
  const maxBytes = deps.config.event.maxBytes;
  const batchMax = deps.config.api.eventsBatchMax;

  // NDJSON arrives as text and is split and validated line by line in the handler.
  app.addContentTypeParser(NDJSON, { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.get('/v1/events', {
    config: { scope: 'incidents:read' },
    schema: {
      tags: ['events'],
      summary: 'Search events, newest first (default time range: the last 24 hours)',
      security: [{ apiKey: [] }],
      querystring: z.object({
        user: filterString('User id').optional(),
        session: filterString('MCP session id').optional(),
        episode: filterString('Episode id (v2 events)').optional(),
        tool: filterString('Tool name').optional(),
        class: filterString('Capability class, e.g. secret.read').optional(),
        server: filterString('MCP server name').optional(),
        status: z.enum(resultStatuses).optional(),
        kind: z.enum(eventKinds).optional(),
        from: timeParam('Events at or after this time (default: 24 hours before `to`)').optional(),
        to: timeParam('Events at or before this time (default: now)').optional(),
        cursor: cursorParam,
        limit: limitParam,
      }),
      response: { 200: pageOf(eventOut), ...problemResponses(...AUTHED_ERRORS) },
    },
    handler: async (req) => {
      const q = req.query;
      const to = q.to ?? Date.now();
      const from = q.from ?? Math.max(to - DAY_MS, 0);
      return eventPage(deps.clickhouse, tenantOf(req), {
        ...(q.user !== undefined ? { user: q.user } : {}),
        ...(q.session !== undefined ? { session: q.session } : {}),
        ...(q.episode !== undefined ? { episode: q.episode } : {}),
        ...(q.tool !== undefined ? { tool: q.tool } : {}),
        ...(q.class !== undefined ? { class: q.class } : {}),
        ...(q.server !== undefined ? { server: q.server } : {}),
        ...(q.status !== undefined ? { status: q.status } : {}),
        ...(q.kind !== undefined ? { kind: q.kind } : {}),
        from,
        to,
        cursor: decodeCursor(q.cursor),
        limit: q.limit,
      });
    },
  });

  app.post('/v1/events', {
    config: { scope: 'events:write' },
    schema: {
      tags: ['events'],
      summary: 'Send audit events: one JSON event, or an NDJSON batch (one event per line)',
      description:
        'Each event is validated against the contract version it names (`schema_version` 1 or 2) and must carry the API key\'s tenant_id; valid events are produced to Kafka, invalid ones are listed in `errors`. A single JSON event that is invalid is a 400; in a batch the valid events are accepted and the rest reported.',
      security: [{ apiKey: [] }],
      body: {
        content: {
          'application/json': { schema: auditEvent },
          [NDJSON]: { schema: z.string().describe('One v1 or v2 event per line') },
        },
      },
      response: { 202: ingestResult, ...problemResponses(...AUTHED_ERRORS, 413, 415, 503) },
    },
    handler: async (req, reply) => {
      const intake = checkIntake(req.body, authOf(req).tenantId, { maxBytes, batchMax });
      if (!intake.ok) throw new HttpProblem(413, `a batch holds at most ${batchMax} events, this one ${intake.lines}`);
      const { valid, errors } = intake;
      if (!intake.batch && errors[0]) {
        metrics.eventsRejected.inc();
        const status = errors[0].issues.includes(FOREIGN_TENANT) ? 403 : 400;
        throw new HttpProblem(status, 'the event was rejected', { errors: errors[0].issues.map((message) => ({ path: '(event)', message })) });
      }
      if (valid.length > 0) {
        try {
          await deps.events.sendMany(valid);
        } catch (err) {
          deps.log.error({ err, events: valid.length }, 'producing events from POST /v1/events failed');
          throw new HttpProblem(503, 'Kafka did not acknowledge the events; send the request again (events are deduplicated by event_id)', {
            headers: { 'retry-after': '5' },
          });
        }
      }
      metrics.eventsAccepted.inc(valid.length);
      metrics.eventsRejected.inc(errors.length);
      return reply.code(202).send({ accepted: valid.length, rejected: errors.length, errors });
    },
  });
};
