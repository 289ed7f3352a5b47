// POST /v1/events against the real Kafka: one JSON event or an NDJSON batch, validated, produced
// with the producer library (keyed tenant:user), 202 with accepted/rejected counts and per-event
// errors; the body limit, the batch limit, and the key's tenant are enforced.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../core/kafka.ts';
import { makeEvent, makeEvents } from './support/events.factory.ts';
import { readTopic } from './support/alerts.factory.ts';
import { apiHarness, type ApiHarness } from './support/api.factory.ts';
import { testLog } from './support/test.env.ts';

let h: ApiHarness;
let headers: Record<string, string>;

beforeAll(async () => {
  h = await apiHarness('api_ingest', { MCP_AUDIT_API_BODY_LIMIT_BYTES: '200000', MCP_AUDIT_API_EVENTS_BATCH_MAX: '50' });
  headers = { authorization: `Bearer ${await h.key('acme', ['events:write'], 'gateway')}` };
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('POST /v1/events', () => {
  it('produces valid events to Kafka and reports the invalid ones by index', async () => {
    const one = makeEvent({ tenant_id: 'acme', kind: 'tool_call' });
    const single = await h.app.inject({ method: 'POST', url: '/v1/events', headers, payload: one });
    expect(single.statusCode).toBe(202);
    expect(JSON.parse(single.body)).toEqual({ accepted: 1, rejected: 0, errors: [] });

    const batch = makeEvents(10, { overrides: { tenant_id: 'acme' } });
    const lines = batch.map((e) => JSON.stringify(e));
    lines.splice(3, 0, '{"not": "an event"}');
    lines.splice(5, 0, '{broken json');
    lines.splice(7, 0, JSON.stringify({ ...makeEvent({ tenant_id: 'globex' }) }));
    const res = await h.app.inject({ method: 'POST', url: '/v1/events', headers: { ...headers, 'content-type': 'application/x-ndjson' }, payload: `${lines.join('\n')}\n` });
    expect(res.statusCode).toBe(202);
    const body = JSON.parse(res.body);
    expect(body).toMatchObject({ accepted: 10, rejected: 3 });
    expect(body.errors.map((e: { index: number }) => e.index)).toEqual([3, 5, 7]);
    expect(body.errors[1].issues).toEqual(['not valid JSON']);
    expect(body.errors[2].issues[0]).toMatch(/tenant_id/);

    const messages = await readTopic(createKafka(h.env.config.kafka, testLog), h.env.config.topics.events, 11);
    const ids = messages.map((m) => JSON.parse(m.value!.toString()).event_id).sort();
    expect(ids).toEqual([one, ...batch].map((e) => e.event_id).sort());
    expect(messages.every((m) => m.key!.toString().startsWith('acme:'))).toBe(true);
  });

  it('refuses a single invalid event (400) and a single event of another tenant (403)', async () => {
    const bad = await h.app.inject({ method: 'POST', url: '/v1/events', headers, payload: { schema_version: 1 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    const other = await h.app.inject({ method: 'POST', url: '/v1/events', headers, payload: makeEvent({ tenant_id: 'globex', kind: 'tool_call' }) });
    expect(other.statusCode).toBe(403);
  });

  it('answers 413 above the body limit and above the batch limit, 415 for other media types', async () => {
    const big = await h.app.inject({ method: 'POST', url: '/v1/events', headers: { ...headers, 'content-type': 'application/x-ndjson' }, payload: 'x'.repeat(300_000) });
    expect(big.statusCode).toBe(413);
    expect(JSON.parse(big.body)).toMatchObject({ status: 413, title: 'Content Too Large' });
    const many = makeEvents(51, { overrides: { tenant_id: 'acme' } }).map((e) => JSON.stringify(e)).join('\n');
    const long = await h.app.inject({ method: 'POST', url: '/v1/events', headers: { ...headers, 'content-type': 'application/x-ndjson' }, payload: many });
    expect(long.statusCode).toBe(413);
    const xml = await h.app.inject({ method: 'POST', url: '/v1/events', headers: { ...headers, 'content-type': 'application/xml' }, payload: '<e/>' });
    expect(xml.statusCode).toBe(415);
    expect(xml.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
