// Events: search (user, session, tool, class, server, status, kind, time range) and
// POST /v1/events, the HTTP ingest for components that cannot speak Kafka: one JSON event, or an
// NDJSON batch (`application/x-ndjson`), each validated against its own contract version (v1 or v2)
// and produced to Kafka with the producer library. Every event must belong to the API key's tenant.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { EventRejectedError, encodeEvent } from '../../producer/audit.producer.ts';
import { auditEvent, type AuditEvent } from '../../schemas/event.ts';
import { eventKinds, resultStatuses } from '../../schemas/event.v1.ts';
import type { ApiDeps } from '../api.deps.ts';
import type { ApiMetrics } from '../api.metrics.ts';
import { cursorParam, filterString, isoTime, limitParam, pageOf, timeParam, toIso } from '../api.schemas.ts';
import { authOf, tenantOf } from '../auth/auth.hook.ts';
import { AUTHED_ERRORS, HttpProblem, problemResponses } from '../problem.ts';
import { decodeCursor, page } from '../queries/cursor.ts';
import { searchEvents, type EventRowOut } from '../queries/events.queries.ts';

const DAY_MS = 86_400_000;

export const NDJSON = 'application/x-ndjson';

const eventOut = z
  .object({
    event_id: z.string(),
    schema_version: z.number().int().describe('Contract version the event was sent in (1 or 2)'),
    ts: isoTime,
    kind: z.string(),
    method: z.string(),
    session_id: z.string(),
    user_id: z.string(),
    agent_id: z.string(),
    client_name: z.string(),
    client_version: z.string(),
    conversation_id: z.string().describe('gen_ai.conversation.id (v2; empty when not sent)'),
    episode: z
      .object({ id: z.string(), basis: z.string().describe('trace, conversation, agent, session or idle_gap') })
      .nullable()
      .describe('The agent run the call belongs to (v2); null when not sent'),
    server_name: z.string(),
    server_transport: z.string(),
    tool_name: z.string(),
    tool_class: z.string(),
    arguments_preview: z.string(),
    arguments_keys: z.array(z.string()).describe('Top-level argument names (v2), never values'),
    secrets: z
      .object({ arguments: z.array(z.string()), result: z.array(z.string()) })
      .describe('Kinds of secrets capture redacted (v2), never values'),
    truncated: z.object({ arguments: z.boolean(), result: z.boolean() }).describe('What capture cut to keep the event bounded (v2)'),
    resource: z.object({
      paths: z.array(z.string()),
      urls: z.array(z.string()),
      hosts: z.array(z.string()),
      recipients: z.array(z.string()),
      tables: z.array(z.string()),
    }),
    status: z.string(),
    error_type: z.string(),
    result_size: z.number(),
    duration_ms: z.number(),
  })
  .meta({ id: 'Event' });

function toEventOut(e: EventRowOut) {
  return {
    event_id: e.event_id,
    schema_version: Number(e.schema_version),
    ts: toIso(e.ts_ms),
    kind: e.kind,
    method: e.mcp_method,
    session_id: e.mcp_session_id,
    user_id: e.user_id,
    agent_id: e.agent_id,
    client_name: e.client_name,
    client_version: e.client_version,
    conversation_id: e.conversation_id,
    episode: e.episode_id ? { id: e.episode_id, basis: e.episode_basis } : null,
    server_name: e.server_name,
    server_transport: e.server_transport,
    tool_name: e.tool_name,
    tool_class: e.tool_class,
    arguments_preview: e.args_preview,
    arguments_keys: e.args_keys,
    secrets: { arguments: e.args_secrets, result: e.result_secrets },
    truncated: { arguments: Number(e.args_truncated) === 1, result: Number(e.result_truncated) === 1 },
    resource: { paths: e.resource_paths, urls: e.resource_urls, hosts: e.resource_hosts, recipients: e.resource_recipients, tables: e.resource_tables },
    status: e.result_status,
    error_type: e.result_error_type,
    result_size: Number(e.result_size),
    duration_ms: Number(e.duration_ms),
  };
}

const ingestResult = z.object({
  accepted: z.number().int(),
  rejected: z.number().int(),
  errors: z.array(z.object({ index: z.number().int().describe('0-based position of the event in the batch'), issues: z.array(z.string()) })),
});

type Checked = { ok: true; event: AuditEvent } | { ok: false; issues: string[] };

function check(input: unknown, tenantId: string, maxBytes: number): Checked {
  try {
    const { event } = encodeEvent(input, maxBytes);
    if (event.tenant_id !== tenantId) return { ok: false, issues: [`tenant_id: must be the API key's tenant`] };
    return { ok: true, event };
  } catch (err) {
    if (err instanceof EventRejectedError) return { ok: false, issues: err.issues };
    throw err;
  }
}

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
      const fetched = await searchEvents(deps.clickhouse, tenantOf(req), {
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
      const p = page(fetched, q.limit, (r) => [Number(r.ts_ms), r.event_id]);
      return { items: p.items.map(toEventOut), next_cursor: p.next_cursor };
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
      const tenantId = authOf(req).tenantId;
      const isBatch = typeof req.body === 'string';
      const inputs: unknown[] = [];
      const errors: { index: number; issues: string[] }[] = [];
      if (isBatch) {
        const lines = (req.body as string).split('\n').filter((l) => l.trim() !== '');
        if (lines.length > batchMax) throw new HttpProblem(413, `a batch holds at most ${batchMax} events, this one ${lines.length}`);
        lines.forEach((line, index) => {
          try {
            inputs[index] = JSON.parse(line);
          } catch {
            errors.push({ index, issues: ['not valid JSON'] });
            inputs[index] = undefined;
          }
        });
      } else {
        inputs.push(req.body);
      }
      const valid: AuditEvent[] = [];
      inputs.forEach((input, index) => {
        if (errors.some((e) => e.index === index)) return;
        const checked = check(input, tenantId, maxBytes);
        if (checked.ok) valid.push(checked.event);
        else errors.push({ index, issues: checked.issues });
      });
      errors.sort((a, b) => a.index - b.index);
      if (!isBatch && errors[0]) {
        metrics.eventsRejected.inc();
        const status = errors[0].issues.some((i) => i.startsWith('tenant_id: must be')) ? 403 : 400;
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
