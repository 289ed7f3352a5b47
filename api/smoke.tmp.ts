import { apiHarness, insertAlerts, insertEvents, makeChain } from '../test/support/api.factory.ts';
const h = await apiHarness('smoke');
const c = makeChain('acme', 'alice@acme.com', Date.now() - 60_000);
await insertEvents(h.env.clickhouse, h.env.config.clickhouse.database, c.events);
await insertAlerts(h.env.clickhouse, h.env.config.clickhouse.database, [c.alert]);
const k = await h.key('acme', ['incidents:read', 'incidents:write', 'events:write']);
const auth = { authorization: `Bearer ${k}` };
for (const url of ['/v1/incidents', `/v1/incidents/${c.alert.incident_id}`, '/v1/alerts', '/v1/events', '/healthz', '/readyz', '/openapi.json', '/docs', '/metrics', '/nope', '/v1/incidents?text=%27%5C']) {
  const r = await h.app.inject({ url, headers: auth });
  console.log(url, r.statusCode, url.includes("incidents/") ? JSON.stringify(JSON.parse(r.body).story, null, 1) : "");
}
let r = await h.app.inject({ method: 'POST', url: `/v1/incidents/${c.alert.incident_id}/status`, headers: auth, payload: { action: 'acknowledge', note: 'looking' } });
console.log('status', r.statusCode, r.body);
r = await h.app.inject({ method: 'DELETE', url: `/v1/incidents`, headers: auth });
console.log('delete', r.statusCode, r.headers.allow, r.body);
r = await h.app.inject({ url: `/v1/incidents`});
console.log('noauth', r.statusCode, r.headers['content-type'], r.body);
r = await h.app.inject({ method: 'POST', url: '/v1/events', headers: auth, payload: c.events[0] });
console.log('post json', r.statusCode, r.body);
r = await h.app.inject({ method: 'POST', url: '/v1/events', headers: { ...auth, 'content-type': 'application/x-ndjson' }, payload: c.events.map((e) => JSON.stringify(e)).join('\n') + '\n{bad\n{"a":1}\n' });
console.log('post ndjson', r.statusCode, r.body);
await h.close();
