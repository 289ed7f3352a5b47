// Test data for the incident API: events, alerts and incidents written straight into a test
// database the way ingest writes them (ingest/event.row.ts, ingest/alert.row.ts), and a harness
// that builds the app against the real ClickHouse and Kafka with keys of two tenants.
import type { ClickHouseClient } from '../../core/clickhouse.ts';
import { createKafka } from '../../core/kafka.ts';
import { createRegistry } from '../../core/metrics.ts';
import { qualified } from '../../core/sql.ts';
import { AuditProducer } from '../../producer/audit.producer.ts';
import { alertId, alertV1, incidentId, type AlertV1, type Severity } from '../../schemas/alert.v1.ts';
import type { AuditEvent } from '../../schemas/event.ts';
import type { AuditEventV1 } from '../../schemas/event.v1.ts';
import { toAlertRow, toIncidentOpenRow } from '../../ingest/alert.row.ts';
import { toEventRow } from '../../ingest/event.row.ts';
import { buildApp, type ApiApp } from '../../api/app.ts';
import { KeyStore } from '../../api/auth/key.store.ts';
import type { Scope } from '../../api/auth/scopes.ts';
import { makeEvent } from './events.factory.ts';
import { createTestEnv, testLog, type TestEnv } from './test.env.ts';

const origin = { topic: 'test', partition: 0, offset: '0' };

export async function insertEvents(ch: ClickHouseClient, database: string, events: readonly AuditEvent[]): Promise<void> {
  if (!events.length) return;
  const now = Math.floor(Date.now() / 1000);
  await ch.insert({ table: qualified(database, 'events').text, values: events.map((e) => toEventRow(e, origin, now)), format: 'JSONEachRow' });
}

export async function insertAlerts(ch: ClickHouseClient, database: string, alerts: readonly AlertV1[]): Promise<void> {
  if (!alerts.length) return;
  const now = Math.floor(Date.now() / 1000);
  await ch.insert({ table: qualified(database, 'alerts').text, values: alerts.map((a) => toAlertRow(a, origin, now)), format: 'JSONEachRow' });
  await ch.insert({ table: qualified(database, 'incidents').text, values: alerts.map((a) => toIncidentOpenRow(a, now)), format: 'JSONEachRow' });
}

/** Signals as ingest stores them (signals.pipeline.ts): the alert shape, no incident. */
export async function insertSignals(ch: ClickHouseClient, database: string, signals: readonly AlertV1[]): Promise<void> {
  if (!signals.length) return;
  const now = Math.floor(Date.now() / 1000);
  await ch.insert({ table: qualified(database, 'signals').text, values: signals.map((s) => ({ ...toAlertRow(s, origin, now), incident_id: '' })), format: 'JSONEachRow' });
}

export interface Chain {
  events: AuditEventV1[];
  alert: AlertV1;
}

const STEPS: { server: string; tool: string; cls: string; resource: { recipients?: string[]; paths?: string[] } }[] = [
  { server: 'gmail', tool: 'search_email', cls: 'email.read', resource: { recipients: ['inbox'] } },
  { server: 'filesystem', tool: 'read_file', cls: 'secret.read', resource: { paths: ['/home/u/.ssh/id_rsa'] } },
  { server: 'slack', tool: 'slack_post_message', cls: 'chat.send', resource: { recipients: ['#random'] } },
];

/** Three events of one user (mail read, key read, chat post) and the alert a sequence rule raises on them. */
export function makeChain(tenant: string, user: string, startMs: number, opts: { severity?: Severity; rule?: string; summary?: string; incident?: string } = {}): Chain {
  const events = STEPS.map((s, k) =>
    makeEvent(
      {
        tenant_id: tenant,
        kind: 'tool_call',
        actor: { user_id: user, client_name: 'claude-desktop', agent_id: 'agent-7' },
        server: { name: s.server, transport: 'stdio' },
        mcp: { method: 'tools/call', session_id: 'sess-1' },
        tool: { name: s.tool },
        resource: { ...s.resource },
        result: { status: 'ok', size_bytes: 100 },
      },
      { ms: startMs + k * 1000 },
    ),
  );
  const rule = { id: opts.rule ?? 'exfil.email-then-secret-then-send', version: 1, title: 'Mail read, then a credential file read, then data sent out', kind: 'sequence' as const };
  const id = alertId(tenant, rule.id, rule.version, events.map((e) => e.event_id));
  const alert = alertV1.parse({
    schema_version: 1,
    alert_id: id,
    incident_id: opts.incident ?? incidentId(tenant, user, id),
    tenant_id: tenant,
    user_id: user,
    session_id: 'sess-1',
    agent_id: 'agent-7',
    client_name: 'claude-desktop',
    rule,
    severity: opts.severity ?? 'critical',
    risk_score: 90,
    summary: opts.summary ?? `${user} read mail, then ~/.ssh/id_rsa, then posted to Slack`,
    ts: events[2]!.ts,
    detected_at: new Date(startMs + 2500).toISOString(),
    evidence: events.map((e, k) => ({
      event_id: e.event_id,
      ts: e.ts,
      kind: 'tool_call',
      server_name: e.server.name,
      tool_name: e.tool!.name,
      tool_class: STEPS[k]!.cls,
      resource: Object.values(STEPS[k]!.resource)[0]![0]!,
      status: 'ok',
    })),
    tags: ['private_data', 'external_sink'],
  });
  return { events, alert };
}

/** One tool call of `user` at `ms` with 100 argument bytes and, unless it failed, 1000 result bytes. */
export function toolCall(
  tenant: string,
  user: string,
  ms: number,
  o: { server: string; tool: string; path?: string; host?: string; error?: boolean },
): AuditEventV1 {
  return makeEvent(
    {
      tenant_id: tenant,
      kind: 'tool_call',
      actor: { user_id: user, client_name: 'claude-desktop' },
      server: { name: o.server, transport: 'stdio' },
      mcp: { method: 'tools/call', session_id: 'sess-b' },
      tool: { name: o.tool },
      arguments: { preview: '{}', sha256: 'a'.repeat(64), size_bytes: 100 },
      resource: { ...(o.path ? { paths: [o.path] } : {}), ...(o.host ? { hosts: [o.host], urls: [`https://${o.host}/x`] } : {}) },
      result: o.error ? { status: 'error', error_type: 'timeout' } : { status: 'ok', size_bytes: 1000 },
    },
    { ms },
  );
}

export interface ApiHarness {
  env: TestEnv;
  app: ApiApp;
  keys: KeyStore;
  producer: AuditProducer;
  /** A fresh key of `tenant` with `scopes`. */
  key(tenant: string, scopes: Scope[], name?: string): Promise<string>;
  close(): Promise<void>;
}

/** A test database and topics, a connected producer, and the app built on them. */
export async function apiHarness(name: string, overrides: Record<string, string> = {}, logger = testLog): Promise<ApiHarness> {
  const env = await createTestEnv(name, overrides);
  const kafka = createKafka(env.config.kafka, logger);
  const producer = new AuditProducer(kafka, { topic: env.config.topics.events, maxBytes: env.config.event.maxBytes });
  await producer.connect();
  const keys = new KeyStore(env.clickhouse, env.config.clickhouse.database);
  const app = await buildApp({
    config: env.config,
    clickhouse: env.clickhouse,
    events: producer,
    log: logger,
    registry: createRegistry('api'),
    kafkaReady: async () => true,
    keyStore: keys,
  });
  return {
    env,
    app,
    keys,
    producer,
    key: async (tenant, scopes, keyName = 'test') => (await keys.create(tenant, scopes, keyName)).key,
    close: async () => {
      await app.close();
      await producer.disconnect();
      await env.clickhouse.close();
    },
  };
}
