// OTLP/HTTP intake: POST /v1/traces and /v1/logs as the OTLP specification has them (protobuf or
// JSON, gzip or not, 200 with partial_success when some items were refused, google.rpc.Status on
// every error, in the encoding of the request). Authenticated like POST /v1/events (events:write;
// the key also in `X-API-Key`), and the tenant is the key's, never the payload's. MCP spans and
// Claude Code tool events become audit events through capture's builder (otlp/) and go to the
// events topic; anything else is counted and skipped. A request that does not decode is refused
// whole with 400 and nothing of it is produced. Not in the OpenAPI document: OTLP is its own spec.
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { buildOptionsFrom } from '../../capture/capture.ts';
import { decodeLogs, decodeTraces, encodingOf, OtlpRequestError, undoContentEncoding, type Encoding } from '../../otlp/decode.body.ts';
import { OtlpIntake, type IntakeResult } from '../../otlp/otlp.intake.ts';
import { createOtlpMetrics } from '../../otlp/otlp.metrics.ts';
import { exportAnswer, statusAnswer, type Signal } from '../../otlp/response.ts';
import type { ApiDeps } from '../api.deps.ts';
import { authOf } from '../auth/auth.hook.ts';

const SIGNALS: Signal[] = ['traces', 'logs'];

export const otlpRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  const limit = deps.config.otlp.bodyLimitBytes;
  const metrics = createOtlpMetrics(deps.registry);
  // Built on first use: the hash key is resolved (and, unset, generated with a warning) only where OTLP is used.
  let intake: OtlpIntake | null = null;
  const intakeOf = () => (intake ??= new OtlpIntake(buildOptionsFrom(deps.config, deps.log), deps.config.event.maxBytes));

  // Every body is read raw (gzip is undone before parsing; protobuf is not text): these routes only.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: limit }, (_req, body, done) => done(null, body));

  const encodingOfRequest = (req: FastifyRequest): Encoding => encodingOf(req.headers['content-type']) ?? 'json';

  // Errors from the auth hook, the rate limiter, the body limit, decoding and Kafka, as OTLP Status.
  app.setErrorHandler((err: FastifyError | OtlpRequestError, req, reply: FastifyReply) => {
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500 && status !== 503) deps.log.error({ err, url: req.url }, 'OTLP request failed');
    const message = status === 500 ? 'the request failed; the error is logged' : err.message;
    const headers = (err as { headers?: Record<string, string> }).headers;
    if (headers && typeof headers === 'object') reply.headers(headers);
    const signal = req.url.startsWith('/v1/logs') ? 'logs' : 'traces';
    metrics.requestsRefused.inc({ signal, status: String(status) });
    const answer = statusAnswer(encodingOfRequest(req), status, message.slice(0, 500));
    return reply.code(status).type(answer.contentType).send(answer.body);
  });

  for (const signal of SIGNALS) {
    app.post(`/v1/${signal}`, {
      bodyLimit: limit,
      config: { scope: 'events:write', apiKeyHeader: true },
      schema: { hide: true },
      handler: async (req, reply) => {
        const tenantId = authOf(req).tenantId;
        const encoding = encodingOf(req.headers['content-type']);
        if (!encoding) throw new OtlpRequestError(415, 'Content-Type must be application/x-protobuf or application/json');
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const body = undoContentEncoding(raw, req.headers['content-encoding'], limit);
        const result: IntakeResult =
          signal === 'traces' ? intakeOf().spans(decodeTraces(body, encoding), tenantId) : intakeOf().logs(decodeLogs(body, encoding), tenantId);
        if (result.events.length > 0) {
          try {
            await deps.events.sendMany(result.events);
          } catch (err) {
            deps.log.error({ err, events: result.events.length }, `producing events from POST /v1/${signal} failed`);
            // Retryable for exporters; event ids are derived from the items, so a retry stores nothing twice.
            throw Object.assign(new OtlpRequestError(503, 'Kafka did not acknowledge the events; retry the export'), { headers: { 'retry-after': '5' } });
          }
        }
        metrics.items.inc({ signal, outcome: 'event' }, result.events.length);
        metrics.items.inc({ signal, outcome: 'not_mcp' }, result.skipped.not_mcp);
        metrics.items.inc({ signal, outcome: 'not_audited' }, result.skipped.not_audited);
        metrics.items.inc({ signal, outcome: 'rejected' }, result.rejected);
        const answer = exportAnswer(signal, encoding, result.rejected, result.reasons.join('; '));
        return reply.code(200).type(answer.contentType).send(answer.body);
      },
    });
  }
};
