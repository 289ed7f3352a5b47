// The OpenAPI 3.1 document (@fastify/swagger, from the routes' zod schemas) and the docs page
// (@fastify/swagger-ui at /docs). The transform adds one thing fastify-type-provider-zod does not
// do: request bodies given per content type (POST /v1/events takes JSON or NDJSON).
import { readFileSync } from 'node:fs';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';

// The committed JSON Schemas of the event contract versions state the rules (if/then) that zod's
// generic conversion drops, so schemathesis generates events the API really accepts; `schema_version`
// is a const in each, so exactly one of them matches an event.
const committedSchema = (version: number): Record<string, unknown> => {
  const s = JSON.parse(readFileSync(new URL(`../schemas/event.v${version}.schema.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
  delete s.$schema;
  delete s.$id;
  return s;
};
const eventJsonSchema = { oneOf: [committedSchema(2), committedSchema(1)] };

type Transform = typeof jsonSchemaTransform;

const transform: Transform = (doc) => {
  const body = (doc.schema as { body?: unknown } | undefined)?.body as { content?: Record<string, { schema: unknown }> } | undefined;
  if (!body?.content) return jsonSchemaTransform(doc);
  const { body: _omit, ...rest } = doc.schema as Record<string, unknown>;
  const out = jsonSchemaTransform({ ...doc, schema: rest } as Parameters<Transform>[0]);
  const content = Object.fromEntries(
    Object.entries(body.content).map(([type, { schema }]) => [
      type,
      {
        schema:
          type === 'application/json'
            ? eventJsonSchema
            : z.toJSONSchema(schema as z.ZodType, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }),
      },
    ]),
  );
  return { ...out, schema: { ...(out.schema as object), body: { content } } } as ReturnType<Transform>;
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any logger and type provider
export async function registerOpenApi(app: FastifyInstance<any, any, any, any, any>): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'mcp-audit incident API',
        description:
          'Incidents, alerts, events, per-user and per-tool baselines, detection rules and their dry runs, and HTTP ingest of MCP audit events. Authenticate with `Authorization: Bearer mcpa_<id>_<secret>` (create keys with `mcp-audit keys create`). Every error is application/problem+json.',
        version: '1.0.0',
      },
      components: {
        securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key mcpa_<id>_<secret>' } },
      },
    },
    transform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // Serves its CSP with hashes of swagger-ui's own inline code, so helmet's strict CSP still holds.
    staticCSP: true,
    uiConfig: { docExpansion: 'list' },
  });
  app.get('/openapi.json', { schema: { hide: true }, config: { rateLimit: false } }, async () => app.swagger());
}
