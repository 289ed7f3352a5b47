// Four destination formats, end to end (otlp has its own: notifier.otlp.test.ts): alerts produced to a real Kafka topic, delivered by the
// notifier to real local HTTP receivers, checked there as a SIEM would see them.
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createKafka } from '../core/kafka.ts';
import { createRegistry } from '../core/metrics.ts';
import { loadDestinations } from '../notifier/destinations.config.ts';
import { ocsfEnums } from '../notifier/format.ocsf.ts';
import { createNotifierService, type NotifierService } from '../notifier/notifier.service.ts';
import { startTestReceiver, type TestReceiver } from './support/siem.receiver.ts';
import { committedToEnd, makeAlerts, produceAlerts } from './support/alerts.factory.ts';
import { createTestEnv, eventually, testLog, type TestEnv } from './support/test.env.ts';

const N = 12;
const alerts = makeAlerts(N, 5);
const ids = new Set(alerts.map((a) => a.alert_id));
const oldSecret = `whsec_${randomBytes(24).toString('base64')}`;
const newSecret = `whsec_${randomBytes(24).toString('base64')}`;
const hecToken = `hec-${randomBytes(8).toString('hex')}`;
const group = `t.notifier.formats.${randomBytes(4).toString('hex')}`;

let t: TestEnv;
let service: NotifierService;
const rx: Record<'sw' | 'hec' | 'ocsf' | 'ecs', TestReceiver> = {} as never;

/** Splits a body of concatenated JSON objects (whitespace between them optional). */
function concatenatedJson(body: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === '}' && --depth === 0) out.push(JSON.parse(body.slice(start, i + 1)));
  }
  return out;
}

beforeAll(async () => {
  t = await createTestEnv('notifier_formats', { MCP_AUDIT_NOTIFIER_GROUP_ID: group, MCP_AUDIT_NOTIFIER_HEALTH_PORT: '0' });
  rx.sw = await startTestReceiver();
  rx.hec = await startTestReceiver(undefined, '/services/collector/event');
  rx.ocsf = await startTestReceiver();
  rx.ecs = await startTestReceiver();
  const common = { allow_networks: ['loopback'] };
  const destinations = loadDestinations(
    {
      destinationsFile: '',
      destinationsJson: JSON.stringify([
        // Two secrets during a rotation: receivers holding either one verify.
        { name: 'generic', type: 'standard-webhooks', url: rx.sw.url, secret_env: 'T_SW_SECRETS', ...common },
        { name: 'splunk', type: 'splunk-hec', url: rx.hec.url, secret_env: 'T_HEC_TOKEN', batch_max: 50, concurrency: 1, splunk: { host: 'mcp-audit-test', index: 'security' }, ...common },
        { name: 'lake', type: 'ocsf', url: rx.ocsf.url, ...common },
        { name: 'elastic', type: 'ecs', url: rx.ecs.url, ...common },
      ]),
    },
    { T_SW_SECRETS: `${oldSecret} ${newSecret}`, T_HEC_TOKEN: hecToken },
  );
  service = createNotifierService(t.config, { kafka: createKafka(t.config.kafka, testLog), log: testLog, registry: createRegistry('notifier'), destinations });
  await service.start();
  await produceAlerts(createKafka(t.config.kafka, testLog), t.config.topics.alerts, alerts);
  const all = await eventually(async () => rx.ocsf.accepted().length >= N && rx.ecs.accepted().length >= N && rx.sw.accepted().length >= N && hecEvents().length >= N, 60_000, 100);
  expect(all).toBe(true);
});

afterAll(async () => {
  await service?.stop();
  for (const r of Object.values(rx)) await r.close();
  await t?.clickhouse.close();
});

function hecEvents(): Record<string, any>[] {
  return rx.hec.accepted().flatMap((r) => concatenatedJson(r.body) as Record<string, any>[]);
}

describe('notifier formats', () => {
  it('Standard Webhooks: verifies with the standardwebhooks package under either rotated secret; a tampered body is rejected', () => {
    const seen = new Set<string>();
    for (const r of rx.sw.accepted()) {
      const headers = { 'webhook-id': String(r.headers['webhook-id']), 'webhook-timestamp': String(r.headers['webhook-timestamp']), 'webhook-signature': String(r.headers['webhook-signature']) };
      expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
      for (const secret of [oldSecret, newSecret]) {
        const payload = new Webhook(secret).verify(r.body, headers) as { type: string; data: { alert_id: string } };
        expect(payload.type).toBe('mcp_audit.alert');
        expect(payload.data.alert_id).toBe(headers['webhook-id']);
      }
      seen.add(headers['webhook-id']);
      // Negative controls: one changed byte, or the wrong secret, must fail verification.
      const tampered = r.body.replace('"risk_score":', '"risk_score":1');
      expect(tampered).not.toBe(r.body);
      expect(() => new Webhook(oldSecret).verify(tampered, headers)).toThrow(/signature/i);
      expect(() => new Webhook(`whsec_${randomBytes(24).toString('base64')}`).verify(r.body, headers)).toThrow(/signature/i);
    }
    expect(seen).toEqual(ids);
  });

  it('Splunk HEC: token header, concatenated event envelopes with the expected fields, several alerts per request', () => {
    for (const r of rx.hec.accepted()) expect(r.headers.authorization).toBe(`Splunk ${hecToken}`);
    const events = hecEvents();
    expect(new Set(events.map((e) => e.event.alert_id))).toEqual(ids);
    for (const e of events) {
      expect(Object.keys(e).sort()).toEqual(['event', 'host', 'index', 'source', 'sourcetype', 'time']);
      expect(e).toMatchObject({ host: 'mcp-audit-test', source: 'mcp-audit', sourcetype: 'mcp_audit:alert', index: 'security' });
      const alert = alerts.find((a) => a.alert_id === e.event.alert_id)!;
      expect(e.time).toBe(Date.parse(alert.ts) / 1000);
      expect(e.event).toEqual(alert);
    }
    expect(Math.max(...rx.hec.accepted().map((r) => concatenatedJson(r.body).length))).toBeGreaterThan(1);
  });

  it('OCSF: every required attribute of Detection Finding (2004) with valid enum values', () => {
    const enumOf = (e: Record<number, string>) => z.number().int().refine((v) => String(v) in e, 'not an OCSF enum value');
    // Required in OCSF 1.9 Detection Finding: the base event's classification and occurrence
    // attributes, metadata (product, version), severity_id, and finding_info (uid, title).
    const required = z.object({
      activity_id: enumOf(ocsfEnums.activity_id),
      category_uid: z.literal(2),
      class_uid: z.literal(2004),
      type_uid: z.number(),
      time: z.number().int().positive(),
      severity_id: enumOf(ocsfEnums.severity_id),
      status_id: enumOf(ocsfEnums.status_id),
      metadata: z.object({ version: z.string().regex(/^1\.\d+\.\d+$/), product: z.object({ name: z.string().min(1), vendor_name: z.string().min(1) }) }),
      finding_info: z.object({ uid: z.string().min(1), title: z.string().min(1), analytic: z.object({ type_id: enumOf(ocsfEnums.analytic_type_id) }) }),
    });
    const seen = new Set<string>();
    for (const r of rx.ocsf.accepted()) {
      const f = JSON.parse(r.body);
      expect(() => required.parse(f)).not.toThrow();
      expect(f.type_uid).toBe(f.class_uid * 100 + f.activity_id);
      expect(f.activity_name).toBe(ocsfEnums.activity_id[f.activity_id as 1]);
      expect(f.severity).toBe(ocsfEnums.severity_id[f.severity_id as 1]);
      const alert = alerts.find((a) => a.alert_id === f.finding_info.uid)!;
      expect(f.severity_id).toBe({ info: 1, low: 2, medium: 3, high: 4, critical: 5 }[alert.severity]);
      expect(f.time).toBe(Date.parse(alert.detected_at));
      expect(f.finding_info.related_events.map((e: { uid: string }) => e.uid)).toEqual(alert.evidence.map((e) => e.event_id));
      expect(f.metadata.version).toBe('1.9.0');
      expect(f.evidences[0].ai_agent).toEqual({ uid: alert.agent_id, name: alert.client_name, instance_uid: alert.session_id });
      expect(r.headers['webhook-id']).toBe(alert.alert_id);
      seen.add(f.finding_info.uid);
    }
    expect(seen).toEqual(ids);
  });

  it('ECS: @timestamp, event.kind alert, category, rule, user', () => {
    const seen = new Set<string>();
    for (const r of rx.ecs.accepted()) {
      const d = JSON.parse(r.body);
      const alert = alerts.find((a) => a.alert_id === d.event.id)!;
      expect(d['@timestamp']).toBe(alert.ts);
      expect(d.event).toMatchObject({ kind: 'alert', category: ['intrusion_detection'], type: ['info'], risk_score: alert.risk_score });
      expect(d.rule).toMatchObject({ id: alert.rule.id, name: alert.rule.title, version: String(alert.rule.version) });
      expect(d.user.id).toBe(alert.user_id);
      expect(d.organization.id).toBe(alert.tenant_id);
      seen.add(d.event.id);
    }
    expect(seen).toEqual(ids);
  });

  it('commits the alerts once every destination has them', async () => {
    const kafka = createKafka(t.config.kafka, testLog);
    expect(await eventually(() => committedToEnd(kafka, group, t.config.topics.alerts), 10_000)).toBe(true);
    expect(service.unhealthy()).toBeNull();
  });
});
