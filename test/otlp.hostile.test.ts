// 1,000 malformed and hostile OTLP requests (seeded fast-check, test/support/otlp.hostile.ts)
// against the api on the real stack, ingest running: each is refused with a 4xx and a reason (an
// OTLP Status in the request's encoding), nothing reaches the events topic or ClickHouse, and the
// service keeps answering; a valid request afterwards is stored, so the pipeline was live all along.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../core/kafka.ts';
import { qualified, sql } from '../core/sql.ts';
import type { IngestService } from '../ingest/ingest.service.ts';
import { RpcStatus } from '../otlp/otlp.proto.ts';
import { readTopicRaw } from './capture.support.ts';
import { apiHarness, type ApiHarness } from './support/api.factory.ts';
import { spawnCli } from './support/child.ts';
import { startIngest } from './support/ingest.harness.ts';
import { hostileRequests } from './support/otlp.hostile.ts';
import { traceRequest } from './support/otlp.payloads.ts';
import { eventually, queryRows, testLog } from './support/test.env.ts';

const LIMIT = 262_144;
let h: ApiHarness;
let key: string;
let url: string;
let ingest: IngestService;

beforeAll(async () => {
  h = await apiHarness('otlp_hostile', { MCP_AUDIT_OTLP_BODY_LIMIT_BYTES: String(LIMIT), MCP_AUDIT_API_RATE_LIMIT_MAX: '100000' });
  key = await h.key('acme', ['events:write'], 'hostile');
  url = await h.app.listen({ host: '127.0.0.1', port: 0 });
  ingest = await startIngest(h.env);
}, 120_000);

afterAll(async () => {
  await ingest?.stop();
  await h?.close();
});

const storedEvents = async () =>
  Number((await queryRows<{ n: string }>(h.env.clickhouse, sql`SELECT count() AS n FROM ${qualified(h.env.config.clickhouse.database, 'events')}`.text))[0]!.n);

/** The reason in an OTLP error answer: a google.rpc.Status as JSON or protobuf. */
function reasonOf(contentType: string, body: Buffer): string {
  if (contentType.startsWith('application/x-protobuf')) return String((RpcStatus.toObject(RpcStatus.decode(body)) as { message?: string }).message ?? '');
  return String((JSON.parse(body.toString()) as { message?: string }).message ?? '');
}

describe('hostile OTLP input', () => {
  it('1,000 malformed or hostile requests: each 4xx with a reason, nothing stored, the service stays up', { timeout: 600_000 }, async () => {
    const requests = hostileRequests(1000, 20261130, LIMIT);
    const categories = new Map<string, number>();
    const wrong: string[] = [];
    for (const [i, r] of requests.entries()) {
      categories.set(r.category, (categories.get(r.category) ?? 0) + 1);
      const res = await fetch(`${url}${r.path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': r.contentType, ...(r.contentEncoding ? { 'content-encoding': r.contentEncoding } : {}) },
        body: new Uint8Array(r.body),
      });
      const body = Buffer.from(await res.arrayBuffer());
      const reason = res.status >= 400 && res.status < 500 ? reasonOf(res.headers.get('content-type') ?? '', body) : '';
      if (res.status < 400 || res.status >= 500 || reason.length < 5) wrong.push(`#${i} ${r.category}: ${res.status} ${reason || body.toString().slice(0, 100)}`);
    }
    expect(wrong).toEqual([]);
    // Every kind of hostility was exercised.
    expect([...categories.keys()].sort()).toHaveLength(12);

    // Ingest is running with a 200 ms flush: give anything that slipped through time to land.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await readTopicRaw(createKafka(h.env.config.kafka, testLog), h.env.config.topics.events)).toEqual([]);
    expect(await storedEvents()).toBe(0);

    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const valid = traceRequest({ 'service.name': 'after' }, [{ name: 'tools/call ping_me', startMs: Date.now(), attrs: { 'mcp.method.name': 'tools/call', 'enduser.id': 'bob@acme.example' } }]);
    const ok = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(valid) });
    expect(ok.status).toBe(200);
    expect(await eventually(async () => (await storedEvents()) === 1, 60_000)).toBe(true);
  });

  it('authentication: no key or a bad key 401, a key without events:write 403, the key also in X-API-Key', async () => {
    const body = JSON.stringify(traceRequest({ 'service.name': 's' }, []));
    const post = (headers: Record<string, string>) => fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const none = await post({});
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ code: 16, message: expect.stringMatching(/API key/) });
    expect((await post({ authorization: 'Bearer mcpa_nothex_1' })).status).toBe(401);
    const reader = await h.key('acme', ['incidents:read'], 'reader');
    expect((await post({ authorization: `Bearer ${reader}` })).status).toBe(403);
    expect((await post({ 'x-api-key': key })).status).toBe(200);
  });

  it('a span that cannot become a valid event is refused in a partial success; the others are stored', async () => {
    const before = await storedEvents();
    const req = traceRequest({ 'service.name': 'mixed', 'enduser.id': 'carol@acme.example' }, [
      { name: 'tools/call fine', startMs: Date.now(), attrs: { 'mcp.method.name': 'tools/call' } },
      // No start time: a required field of a span.
      { name: 'tools/call broken', startMs: 0, durationMs: 0, attrs: { 'mcp.method.name': 'tools/call' } },
      { name: 'HTTP GET', startMs: Date.now(), attrs: { 'http.request.method': 'GET' } },
    ]);
    const res = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(req) });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { partialSuccess?: { rejectedSpans: string; errorMessage: string } };
    expect(answer.partialSuccess?.rejectedSpans).toBe('1');
    expect(answer.partialSuccess?.errorMessage).toMatch(/span [0-9a-f]{16}: /);
    expect(await eventually(async () => (await storedEvents()) === before + 1, 60_000)).toBe(true);
  });

  it('`mcp-audit otlp` serves the receiver alone: OTLP and health, no incident API; SIGTERM stops it cleanly', { timeout: 120_000 }, async () => {
    const child = spawnCli(['otlp'], { ...h.env.env, MCP_AUDIT_OTLP_PORT: '0', MCP_AUDIT_LOG_LEVEL: 'info' });
    let address = '';
    await eventually(async () => {
      address = /"address":"(http:\/\/[^"]+)","msg":"otlp listening"/.exec(child.output())?.[1] ?? '';
      return address !== '';
    }, 60_000);
    expect(address, child.output()).not.toBe('');
    const before = await storedEvents();
    const req = traceRequest({ 'service.name': 'alone' }, [{ name: 'tools/call solo', startMs: Date.now(), attrs: { 'mcp.method.name': 'tools/call', 'enduser.id': 'dan@acme.example' } }]);
    const res = await fetch(`${address}/v1/traces`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(req) });
    expect(res.status).toBe(200);
    expect((await fetch(`${address}/healthz`)).status).toBe(200);
    expect((await fetch(`${address}/v1/incidents`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(404);
    expect(await eventually(async () => (await storedEvents()) === before + 1, 60_000)).toBe(true);
    child.proc.kill('SIGTERM');
    expect(await child.exited).toBe(0);
  });
});
