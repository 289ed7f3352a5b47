// The `otlp` destination end to end: alerts produced to a real Kafka topic, delivered by the
// notifier as OpenTelemetry `gen_ai.guardrail.security.finding` log events to local OTLP/HTTP
// receivers, and decoded there with the OpenTelemetry protobuf definitions (PyPI
// `opentelemetry-proto`), not with the JavaScript library that encoded them.
//   - protobuf + gzip + bearer token: the receiver answers 503 three times, then 429 with
//     Retry-After, then accepts: the first alert is retried, then everything arrives;
//   - JSON, up to 5 alerts per request: the receiver answers 500 twice, then accepts;
//   - JSON, one alert per request: the receiver accepts every request but reports one alert as
//     rejected (OTLP partial success): that alert is dead-lettered, not retried.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../core/kafka.ts';
import { createRegistry, type Registry } from '../core/metrics.ts';
import { loadDestinations } from '../notifier/destinations.config.ts';
import { createNotifierService, type NotifierService } from '../notifier/notifier.service.ts';
import { startTestReceiver, type ReceivedRequest, type TestReceiver } from './support/siem.receiver.ts';
import { classifyTags } from '../notifier/threat.taxonomy.ts';
import type { AlertV1 } from '../schemas/alert.v1.ts';
import { committedToEnd, headersOf, makeAlerts, produceAlerts, readTopic } from './support/alerts.factory.ts';
import { attributesOf, decodeOtlpLogs, ensureOtlpDecoder, recordsOf, type DecodedRequest } from './support/otlp.decode.ts';
import { createTestEnv, eventually, testLog, type TestEnv } from './support/test.env.ts';

const N = 12;
/** Tag sets of real rule-pack rules, so risk categories and taxonomy ids vary across the alerts. */
const TAG_SETS = [
  ['exfiltration', 'prompt_injection', 'credential_access', 'private_data', 'external_sink'],
  ['tool_poisoning', 'rug_pull', 'supply_chain'],
  ['anomaly', 'off_hours'],
  ['execution', 'command_and_control'],
  ['impact', 'destruction'],
  ['credential_access', 'missing_approval'],
];
const alerts: AlertV1[] = makeAlerts(N, 31).map((a, i) => ({
  ...a,
  tags: TAG_SETS[i % TAG_SETS.length]!,
  // Half the alerts carry the keyed hash of the last call's arguments, as v2 events give it.
  evidence: a.evidence.map((e, k) => (i % 2 === 0 && k === a.evidence.length - 1 ? { ...e, arguments_hash: `hmac-sha256:${'ab'.repeat(32)}` } : e)),
}));
const byId = new Map(alerts.map((a) => [a.alert_id, a]));
const ids = new Set(byId.keys());
const rejectedId = alerts[5]!.alert_id;
const token = `otlp-${randomBytes(8).toString('hex')}`;
const group = `t.notifier.otlp.${randomBytes(4).toString('hex')}`;

let t: TestEnv;
let service: NotifierService;
let registry: Registry;
let proto: TestReceiver, json: TestReceiver, partial: TestReceiver;
const decoded = new Map<TestReceiver, DecodedRequest[]>();

/** The external finding ids a decoded request carries. */
const findingIds = (d: DecodedRequest) => recordsOf(d).map((r) => String(attributesOf(r)['gen_ai.guardrail.security.external_finding_id']));

beforeAll(async () => {
  // The decoder's environment first: its first install from PyPI takes a while.
  await ensureOtlpDecoder();
  t = await createTestEnv('notifier_otlp', { MCP_AUDIT_NOTIFIER_GROUP_ID: group, MCP_AUDIT_NOTIFIER_HEALTH_PORT: '0' });
  // A real OTLP/HTTP receiver answers an ExportLogsServiceResponse; an empty one is zero bytes.
  const accepted = { status: 200, headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.alloc(0) };
  proto = await startTestReceiver(({ n }) => (n < 3 ? { status: 503 } : n === 3 ? { status: 429, headers: { 'retry-after': '1' } } : accepted), '/v1/logs');
  json = await startTestReceiver(({ n }) => (n < 2 ? { status: 500 } : { status: 200, body: '{}' }), '/v1/logs');
  partial = await startTestReceiver(
    ({ body }) =>
      body.includes(rejectedId)
        ? { status: 200, body: JSON.stringify({ partialSuccess: { rejectedLogRecords: '1', errorMessage: 'attribute value too long' } }) }
        : { status: 200, body: '{"partialSuccess":{}}' },
    '/v1/logs',
  );
  const common = { type: 'otlp', allow_networks: ['loopback'], backoff_initial_ms: 50, backoff_max_ms: 200 };
  const destinations = loadDestinations(
    {
      destinationsFile: '',
      destinationsJson: JSON.stringify([
        {
          name: 'otel-proto',
          url: proto.url,
          secret_env: 'T_OTLP_TOKEN',
          // One request at a time, so the failures all hit the first alert and the order is known.
          concurrency: 1,
          otlp: { compression: 'gzip', headers: { 'X-Scope-OrgID': 'soc' }, resource_attributes: { 'deployment.environment.name': 'test' } },
          ...common,
        },
        { name: 'otel-json', url: json.url, batch_max: 5, concurrency: 1, otlp: { encoding: 'json', policy_id: 'acme-agent-policy' }, ...common },
        { name: 'otel-partial', url: partial.url, otlp: { encoding: 'json' }, ...common },
      ]),
    },
    { T_OTLP_TOKEN: `Bearer ${token}` },
  );
  registry = createRegistry('notifier');
  service = createNotifierService(t.config, { kafka: createKafka(t.config.kafka, testLog), log: testLog, registry, destinations });
  await service.start();
  await produceAlerts(createKafka(t.config.kafka, testLog), t.config.topics.alerts, alerts);
  const delivered = async (r: TestReceiver) => new Set((await decodeOtlpLogs(r.accepted())).flatMap(findingIds)).size === N;
  expect(await eventually(async () => (await delivered(proto)) && (await delivered(json)) && partial.accepted().length === N, 60_000, 250)).toBe(true);
  for (const r of [proto, json, partial]) decoded.set(r, await decodeOtlpLogs(r.requests));
}, 600_000);

afterAll(async () => {
  await service?.stop();
  for (const r of [proto, json, partial]) await r?.close();
  await t?.clickhouse.close();
});

describe('otlp destination', () => {
  it('sends valid OTLP logs requests: protobuf gzip with the secret header, and JSON', () => {
    for (const d of [...decoded.get(proto)!, ...decoded.get(json)!, ...decoded.get(partial)!]) expect(d.error).toBeUndefined();
    for (const r of proto.requests) {
      expect(r.headers['content-type']).toBe('application/x-protobuf');
      expect(r.headers['content-encoding']).toBe('gzip');
      expect(r.headers.authorization).toBe(`Bearer ${token}`);
      expect(r.headers['x-scope-orgid']).toBe('soc');
    }
    for (const r of json.requests) {
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers.authorization).toBeUndefined();
    }
    // JSON requests carried several alerts each.
    expect(Math.max(...decoded.get(json)!.map((d) => recordsOf(d).length))).toBeGreaterThan(1);
  });

  it('each alert is one gen_ai.guardrail.security.finding event with the convention attributes', () => {
    for (const [rx, policy] of [
      [proto, 'mcp-audit'],
      [json, 'acme-agent-policy'],
    ] as const) {
      const accepted = decoded.get(rx)!.filter((_, i) => rx.requests[i]!.status === 200);
      const seen = new Set<string>();
      for (const d of accepted) {
        const scope = d.resource_logs![0]!.scope_logs![0]!;
        expect(scope.scope?.name).toBe('mcp-audit.notifier');
        const resource = Object.fromEntries((d.resource_logs![0]!.resource?.attributes ?? []).map((a) => [a.key, a.value.string_value]));
        expect(resource['service.name']).toBe('mcp-audit');
        if (rx === proto) expect(resource['deployment.environment.name']).toBe('test');
        for (const record of recordsOf(d)) {
          const attrs = attributesOf(record);
          const alert = byId.get(String(attrs['gen_ai.guardrail.security.external_finding_id']))!;
          expect(alert).toBeDefined();
          seen.add(alert.alert_id);
          const last = alert.evidence[alert.evidence.length - 1]!;
          expect(record.event_name).toBe('gen_ai.guardrail.security.finding');
          expect(record.time_unix_nano).toBe(`${Date.parse(alert.detected_at)}000000`);
          expect(record.severity_text).toBe(alert.severity);
          expect(record.severity_number).toMatch(/^SEVERITY_NUMBER_(INFO|INFO2|WARN|ERROR|ERROR2)$/);
          expect(record.body?.string_value).toBe(alert.summary);
          expect(attrs).toMatchObject({
            'gen_ai.guardrail.security.policy.id': policy,
            'gen_ai.guardrail.security.policy.rule.id': alert.rule.id,
            'gen_ai.guardrail.security.risk.category': classifyTags(alert.tags).riskCategory ?? `custom:${alert.rule.kind}`,
            'gen_ai.guardrail.security.risk.score': alert.risk_score / 100,
            'gen_ai.guardrail.target.type': 'input',
            'gen_ai.guardrail.target.id': last.event_id,
            'gen_ai.guardrail.verdict.type': 'warn',
            'gen_ai.guardrail.action.type': 'audit',
            'gen_ai.guardrail.verdict.reason': alert.rule.title,
            'user.id': alert.user_id,
            'mcp_audit.tenant_id': alert.tenant_id,
            'mcp_audit.incident_id': alert.incident_id,
            'mcp_audit.evidence.event_ids': alert.evidence.map((e) => e.event_id),
            'mcp_audit.tags': alert.tags,
          });
          expect(attrs['gen_ai.guardrail.security.content.input.hash']).toBe(last.arguments_hash);
        }
      }
      expect(seen).toEqual(ids);
    }
    // The taxonomy reached the wire: the injection chain is prompt_injection, with OWASP and ATLAS ids.
    const chain = recordsOf(decoded.get(json)!.find((d) => findingIds(d).includes(alerts[0]!.alert_id))!).map(attributesOf).find((a) => a['gen_ai.guardrail.security.external_finding_id'] === alerts[0]!.alert_id)!;
    expect(chain['gen_ai.guardrail.security.risk.category']).toBe('prompt_injection');
    expect(chain['mcp_audit.owasp.ids']).toEqual(expect.arrayContaining(['LLM01:2025', 'ASI01:2026', 'MCP06:2025', 'MCP01:2025']));
    expect(chain['mcp_audit.attack.technique_ids']).toEqual(expect.arrayContaining(['T1567', 'T1552.001', 'AML.T0051.001']));
  });

  it('retries like the other destinations: 503s, then 429 obeying Retry-After, then delivered', async () => {
    const statuses = proto.requests.map((r) => r.status);
    expect(statuses.slice(0, 4)).toEqual([503, 503, 503, 429]);
    expect(statuses.slice(4).every((s) => s === 200)).toBe(true);
    // The four refused requests and the fifth carry the same alert: it was retried, not dropped.
    const first = decoded.get(proto)!.slice(0, 5).map(findingIds);
    expect(new Set(first.flat()).size).toBe(1);
    // Retry-After: 1 was obeyed (a lower bound on the wait, not a timing budget).
    expect(proto.requests[4]!.at - proto.requests[3]!.at).toBeGreaterThanOrEqual(990);
    // Exactly N alerts accepted once each: no duplicate once delivered.
    expect(proto.accepted()).toHaveLength(N);
    expect(json.requests.slice(0, 2).map((r: ReceivedRequest) => r.status)).toEqual([500, 500]);
    // The batch that failed is the batch that was accepted next.
    expect(findingIds(decoded.get(json)![2]!)).toEqual(findingIds(decoded.get(json)![0]!));
    const text = await registry.metrics();
    expect(text).toMatch(/mcp_audit_notifier_retried_total\{destination="otel-proto",reason="http_503",service="notifier"\} 3/);
    expect(text).toMatch(/mcp_audit_notifier_retried_total\{destination="otel-proto",reason="http_429",service="notifier"\} 1/);
    expect(text).toMatch(/mcp_audit_notifier_delivered_total\{destination="otel-proto",service="notifier"\} 12/);
    expect(text).toMatch(/mcp_audit_notifier_delivered_total\{destination="otel-json",service="notifier"\} 12/);
  });

  it('dead-letters the alert a receiver rejected inside a 2xx (OTLP partial success), once, and delivers the rest', async () => {
    const kafka = createKafka(t.config.kafka, testLog);
    const dlq = await readTopic(kafka, t.config.topics.alertsDlq, 1, 30_000);
    expect(dlq).toHaveLength(1);
    const h = headersOf(dlq[0]!);
    expect(h).toMatchObject({ 'mcp-audit-destination': 'otel-partial', 'mcp-audit-reason': 'rejected_in_2xx', 'mcp-audit-step': 'deliver' });
    expect(h['mcp-audit-detail']).toMatch(/1 log record\(s\) rejected: attribute value too long/);
    expect(JSON.parse(dlq[0]!.value!.toString()).alert_id).toBe(rejectedId);
    // Not retried: the rejected alert was sent exactly once.
    expect(decoded.get(partial)!.filter((d) => findingIds(d).includes(rejectedId))).toHaveLength(1);
    expect(new Set(decoded.get(partial)!.flatMap(findingIds))).toEqual(ids);
    const text = await registry.metrics();
    expect(text).toMatch(/mcp_audit_notifier_dead_lettered_total\{destination="otel-partial",reason="rejected_in_2xx",service="notifier"\} 1/);
    expect(await eventually(() => committedToEnd(kafka, group, t.config.topics.alerts), 10_000)).toBe(true);
  });
});
