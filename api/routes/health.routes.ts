// /healthz (the process answers), /readyz (ClickHouse and Kafka reachable), /metrics (Prometheus).
// Public, like every health endpoint: they expose no tenant data, and the API binds to loopback
// unless MCP_AUDIT_API_HOST says otherwise.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiDeps } from '../api.deps.ts';
import { HttpProblem, problemResponses } from '../problem.ts';

// A dependency that does not answer within this long counts as down (readiness must answer fast).
const PROBE_TIMEOUT_MS = 2_000;

async function probe(check: () => Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check().catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const healthRoutes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  const noRateLimit = { rateLimit: false } as const;

  app.get('/healthz', {
    config: noRateLimit,
    schema: { tags: ['health'], summary: 'Liveness', response: { 200: z.object({ status: z.literal('ok') }) } },
    handler: async () => ({ status: 'ok' as const }),
  });

  app.get('/readyz', {
    config: noRateLimit,
    schema: {
      tags: ['health'],
      summary: 'Readiness: ClickHouse and Kafka reachable',
      response: { 200: z.object({ status: z.literal('ready'), clickhouse: z.boolean(), kafka: z.boolean() }), ...problemResponses(503) },
    },
    handler: async () => {
      const [clickhouse, kafka] = await Promise.all([
        probe(async () => (await deps.clickhouse.ping()).success),
        probe(deps.kafkaReady),
      ]);
      if (!clickhouse || !kafka) {
        const down = [clickhouse ? null : 'ClickHouse', kafka ? null : 'Kafka'].filter(Boolean).join(' and ');
        throw new HttpProblem(503, `not ready: ${down} not reachable`);
      }
      return { status: 'ready' as const, clickhouse, kafka };
    },
  });

  app.get('/metrics', {
    config: noRateLimit,
    schema: { tags: ['health'], summary: 'Prometheus metrics', response: { 200: { content: { 'text/plain': { schema: z.string() } } } } },
    handler: async (_req, reply) => {
      const text = await deps.registry.metrics();
      return reply.type('text/plain').send(text);
    },
  });
};
