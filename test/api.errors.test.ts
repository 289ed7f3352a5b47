// The API's common behaviour: one problem+json error shape (validation, 404, 405, 429), per-key
// rate limits, security headers, and an OpenAPI document that lists every route with its errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiHarness, type ApiHarness } from './support/api.factory.ts';

let h: ApiHarness;

beforeAll(async () => {
  h = await apiHarness('api_errors', { MCP_AUDIT_API_RATE_LIMIT_MAX: '5' });
}, 120_000);

afterAll(async () => {
  await h?.close();
});

const isProblem = (res: { headers: Record<string, unknown>; body: string }, status: number) => {
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(JSON.parse(res.body)).toMatchObject({ type: expect.stringMatching(/^https:/), title: expect.any(String), status, detail: expect.any(String) });
};

describe('errors, limits and headers', () => {
  it('validation errors name the field', async () => {
    const key = await h.key('acme', ['incidents:read']);
    const res = await h.app.inject({ url: '/v1/incidents?status=closed&limit=9999', headers: { authorization: `Bearer ${key}` } });
    expect(res.statusCode).toBe(400);
    isProblem(res, 400);
    expect(JSON.parse(res.body).errors.map((e: { path: string }) => e.path).sort()).toEqual(['querystring.limit', 'querystring.status']);
  });

  it('404 and 405 (with Allow) are problems too', async () => {
    const missing = await h.app.inject({ url: '/v1/nothing' });
    expect(missing.statusCode).toBe(404);
    isProblem(missing, 404);
    const wrong = await h.app.inject({ method: 'DELETE', url: '/v1/incidents' });
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers.allow).toBe('GET, HEAD');
    isProblem(wrong, 405);
  });

  it('rate-limits per key: a second key still gets through', async () => {
    const k1 = await h.key('acme', ['incidents:read']);
    const k2 = await h.key('acme', ['incidents:read']);
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await h.app.inject({ url: '/v1/alerts', headers: { authorization: `Bearer ${k1}` } })).statusCode);
    expect(codes).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const limited = await h.app.inject({ url: '/v1/alerts', headers: { authorization: `Bearer ${k1}` } });
    isProblem(limited, 429);
    expect(limited.headers['retry-after']).toBeDefined();
    expect((await h.app.inject({ url: '/v1/alerts', headers: { authorization: `Bearer ${k2}` } })).statusCode).toBe(200);
  });

  it('sends security headers', async () => {
    const res = await h.app.inject({ url: '/healthz' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBeDefined();
    expect(res.headers['strict-transport-security']).toBeDefined();
  });

  it('OpenAPI lists every route, its security, and problem+json errors', async () => {
    const doc = JSON.parse((await h.app.inject({ url: '/openapi.json' })).body);
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/healthz',
        '/metrics',
        '/readyz',
        '/v1/alerts',
        '/v1/events',
        '/v1/incidents',
        '/v1/incidents/{incident_id}',
        '/v1/incidents/{incident_id}/status',
        '/v1/baselines/users/{user_id}',
        '/v1/baselines/tools/{server_name}/{tool_name}',
        '/v1/rules',
        '/v1/rules/{rule_id}',
        '/v1/rules/{rule_id}/dry-run',
      ].sort(),
    );
    expect(doc.paths['/v1/rules/{rule_id}/dry-run'].post.security).toEqual([{ apiKey: [] }]);
    expect(doc.paths['/v1/rules/{rule_id}/dry-run'].post.description).toMatch(/7 days.*200,000 events/);
    const list = doc.paths['/v1/incidents'].get;
    expect(list.security).toEqual([{ apiKey: [] }]);
    expect(Object.keys(list.responses['401'].content)).toEqual(['application/problem+json']);
    expect(Object.keys(doc.paths['/v1/events'].post.requestBody.content).sort()).toEqual(['application/json', 'application/x-ndjson']);
    // Either contract version, told apart by its schema_version (a const, which OpenAPI writes as a one-value enum).
    const versions = doc.paths['/v1/events'].post.requestBody.content['application/json'].schema.oneOf;
    expect(versions.map((v: { properties: { schema_version: { enum: number[] } } }) => v.properties.schema_version.enum)).toEqual([[2], [1]]);
  });
});
