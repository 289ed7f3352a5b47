// Baselines: one user's or one server x tool's baseline from the newest completed run, beside the
// last 24 hours (api/views/baseline.view.ts). 404 when no run has completed or it has no row for the key.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiDeps } from '../api.deps.ts';
import { tenantOf } from '../auth/auth.hook.ts';
import { AUTHED_ERRORS, HttpProblem, problemResponses } from '../problem.ts';
import { toolBaseline, toolBaselineOut, userBaseline, userBaselineOut, type Found } from '../views/baseline.view.ts';

const security = [{ apiKey: [] }];

// The router refuses a longer path parameter itself (maxParamLength in app.ts), with 414.
const pathString = (what: string) => z.string().min(1).max(256).describe(what);

function foundOr404<T>(answer: Found<T>): T {
  if (!answer.found) throw new HttpProblem(404, answer.missing);
  return answer.view;
}

export const baselinesRoutes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  const ch = deps.clickhouse;

  app.get('/v1/baselines/users/:user_id', {
    config: { scope: 'incidents:read' },
    schema: {
      tags: ['baselines'],
      summary: "A user's baseline (newest completed run), beside the last 24 hours",
      security,
      params: z.object({ user_id: pathString('User id') }),
      response: { 200: userBaselineOut, ...problemResponses(...AUTHED_ERRORS, 404, 414) },
    },
    handler: async (req) => foundOr404(await userBaseline(ch, tenantOf(req), req.params.user_id, Date.now())),
  });

  app.get('/v1/baselines/tools/:server_name/:tool_name', {
    config: { scope: 'incidents:read' },
    schema: {
      tags: ['baselines'],
      summary: "A server x tool's baseline across users (newest completed run), beside the last 24 hours",
      security,
      params: z.object({ server_name: pathString('MCP server name'), tool_name: pathString('Tool name') }),
      response: { 200: toolBaselineOut, ...problemResponses(...AUTHED_ERRORS, 404, 414) },
    },
    handler: async (req) => foundOr404(await toolBaseline(ch, tenantOf(req), req.params.server_name, req.params.tool_name, Date.now())),
  });
};
