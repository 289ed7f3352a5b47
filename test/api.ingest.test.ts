// POST /v1/events against the real Kafka: one JSON event or an NDJSON batch, validated, produced
// with the producer library (keyed tenant:user), 202 with accepted/rejected counts and per-event
// errors; the body limit, the batch limit, and the key's tenant are enforced; v1 and v2 events side by
// side, and the v2 fields in the GET /v1/events view.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../core/kafka.ts';
import { makeEvent, makeEvents } from './support/events.factory.ts';
import { makeEventsV2 } from './support/events.v2.factory.ts';
import { readTopic } from './support/alerts.factory.ts';
import { apiHarness, insertEvents, type ApiHarness } from './support/api.factory.ts';
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

  it('takes v2 events beside v1, each checked against its own version', async () => {
    const v2 = makeEventsV2(6, { seed: 21 }).map((e) => ({ ...e, tenant_id: 'acme' }));
    const single = await h.app.inject({ method: 'POST', url: '/v1/events', headers, payload: v2[0] });
    expect(single.statusCode).toBe(202);
    const v1 = makeEvent({ tenant_id: 'acme', kind: 'tool_call' });
    const { hash_key_id: _, ...keyless } = v2.find((e) => e.arguments)!;
    const lines = [...v2.slice(1), v1, { ...v1, schema_version: 2 }, keyless, { ...v1, schema_version: 3 }].map((e) => JSON.stringify(e));
    const res = await h.app.inject({ method: 'POST', url: '/v1/events', headers: { ...headers, 'content-type': 'application/x-ndjson' }, payload: lines.join('\n') });
    expect(res.statusCode).toBe(202);
    const body = JSON.parse(res.body);
    expect(body).toMatchObject({ accepted: 6, rejected: 3 });
    expect(body.errors.map((e: { index: number }) => e.index)).toEqual([6, 7, 8]);
    // Each rejection names what is wrong for the version it claims.
    expect(body.errors[0].issues).toContain('arguments: Unrecognized key: "sha256"');
    expect(body.errors[1].issues).toContain('hash_key_id: required when the event carries HMACs or fingerprints');
    expect(body.errors[2].issues[0]).toMatch(/^schema_version: /);

    // The topic also holds the 11 events of the first test.
    const messages = await readTopic(createKafka(h.env.config.kafka, testLog), h.env.config.topics.events, 11 + 7);
    const sent = new Map(messages.map((m) => [JSON.parse(m.value!.toString()).event_id, JSON.parse(m.value!.toString())]));
    for (const e of [...v2, v1]) expect(sent.get(e.event_id)).toEqual(JSON.parse(JSON.stringify(e)));
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

describe('GET /v1/events', () => {
  it('shows what v2 adds: version, episode, conversation, argument names, secret kinds, truncation', async () => {
    const read = { authorization: `Bearer ${await h.key('acme', ['incidents:read'], 'analyst')}` };
    const v2 = makeEventsV2(40, { seed: 22 }).map((e) => ({ ...e, tenant_id: 'acme' }));
    const v1 = makeEvents(5, { seed: 23, overrides: { tenant_id: 'acme' } });
    await insertEvents(h.env.clickhouse, h.env.config.clickhouse.database, [...v2, ...v1]);
    const res = await h.app.inject({ url: '/v1/events?from=2025-06-01T00:00:00Z&to=2025-06-03T00:00:00Z&limit=500', headers: read });
    expect(res.statusCode).toBe(200);
    const items = new Map(JSON.parse(res.body).items.map((i: { event_id: string }) => [i.event_id, i]));
    for (const e of v2) {
      expect(items.get(e.event_id), e.event_id).toMatchObject({
        schema_version: 2,
        conversation_id: e.actor.conversation_id ?? '',
        episode: e.episode ?? null,
        arguments_keys: e.arguments?.keys ?? [],
        secrets: { arguments: e.arguments?.secrets ?? [], result: e.result?.secrets ?? [] },
        truncated: { arguments: e.arguments?.truncated === true, result: e.result?.truncated === true },
      });
    }
    for (const e of v1) expect(items.get(e.event_id)).toMatchObject({ schema_version: 1, episode: null, arguments_keys: [], conversation_id: '' });
    const withEpisode = v2.find((e) => e.episode)!;
    const one = await h.app.inject({ url: `/v1/events?from=2025-06-01T00:00:00Z&to=2025-06-03T00:00:00Z&episode=${withEpisode.episode!.id}`, headers: read });
    const ids = JSON.parse(one.body).items.map((i: { event_id: string }) => i.event_id);
    expect(ids.sort()).toEqual(v2.filter((e) => e.episode?.id === withEpisode.episode!.id).map((e) => e.event_id).sort());
  });
});
