// Ingest stores alerts from the alerts topic in `alerts` and opens their incident in `incidents`;
// a replayed alert (same id) collapses, and a person's status change is not overridden by it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka, idempotentProducerConfig } from '../core/kafka.ts';
import { qualified, sql } from '../core/sql.ts';
import type { IngestService } from '../ingest/ingest.service.ts';
import { alertId, alertKey, alertV1, incidentId, type AlertV1 } from '../schemas/alert.v1.ts';
import { makeEvents } from './support/events.factory.ts';
import { startIngest } from './support/ingest.harness.ts';
import { createTestEnv, eventually, queryRows, testLog, type TestEnv } from './support/test.env.ts';

let t: TestEnv;
let ingest: IngestService;

beforeAll(async () => {
  t = await createTestEnv('alerts');
  ingest = await startIngest(t);
});
afterAll(async () => {
  await ingest?.stop();
  await t?.clickhouse.close();
});

function alertFrom(n: number): AlertV1 {
  const evidence = makeEvents(3, { seed: 100 + n });
  const first = evidence[0]!;
  const id = alertId(first.tenant_id, 'exfil.test', 1, evidence.map((e) => e.event_id));
  return alertV1.parse({
    schema_version: 1,
    alert_id: id,
    incident_id: incidentId(first.tenant_id, `${first.tenant_id}:${first.actor.user_id}`, id),
    tenant_id: first.tenant_id,
    user_id: first.actor.user_id,
    session_id: '',
    agent_id: '',
    client_name: 'claude-desktop',
    rule: { id: 'exfil.test', version: 1, title: 'Test chain', kind: 'sequence' },
    severity: 'critical',
    risk_score: 90,
    summary: 'a test alert',
    ts: evidence[2]!.ts,
    detected_at: new Date().toISOString(),
    evidence: evidence.map((e) => ({
      event_id: e.event_id,
      ts: e.ts,
      kind: e.kind,
      server_name: e.server.name,
      tool_name: e.tool?.name ?? '',
      tool_class: 'file.read',
      resource: e.resource?.paths?.[0] ?? '',
      status: e.result?.status ?? 'ok',
    })),
    tags: ['external_sink'],
  });
}

describe('ingest of alerts', () => {
  it('stores each alert once and opens its incident without overriding a later decision', async () => {
    const alerts = [alertFrom(1), alertFrom(2), alertFrom(3)];
    const producer = createKafka(t.config.kafka, testLog).producer(idempotentProducerConfig);
    await producer.connect();
    const send = (xs: AlertV1[]) =>
      producer.send({ topic: t.config.topics.alerts, messages: xs.map((a) => ({ key: alertKey(a), value: JSON.stringify(a) })) });
    await send(alerts);

    const db = t.config.clickhouse.database;
    const count = async () =>
      Number((await queryRows<{ n: string }>(t.clickhouse, sql`SELECT count() AS n FROM ${qualified(db, 'alerts')} FINAL`.text))[0]!.n);
    expect(await eventually(async () => (await count()) === 3, 60_000)).toBe(true);

    // A person acknowledges the first incident (what the API does), then the alert is replayed.
    const first = alerts[0]!;
    await t.clickhouse.insert({
      table: `${db}.incidents`,
      values: [{ tenant_id: first.tenant_id, incident_id: first.incident_id, user_id: first.user_id, session_id: '', status: 'acknowledged', note: 'looking', actor: 'sam', version: Date.now(), updated_at: Math.floor(Date.now() / 1000) }],
      format: 'JSONEachRow',
    });
    await send([first]);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await count()).toBe(3);

    const rows = await queryRows<{ alert_id: string; severity_rank: number; evidence_event_ids: string[]; evidence_json: string }>(
      t.clickhouse,
      sql`SELECT alert_id, severity_rank, evidence_event_ids, evidence_json FROM ${qualified(db, 'alerts')} FINAL WHERE alert_id = ${first.alert_id}`.text,
    );
    expect(rows[0]!.severity_rank).toBe(4);
    expect(rows[0]!.evidence_event_ids).toEqual(first.evidence.map((e) => e.event_id));
    expect(JSON.parse(rows[0]!.evidence_json)).toEqual(first.evidence);

    const status = await queryRows<{ incident_id: string; status: string }>(
      t.clickhouse,
      sql`SELECT incident_id, status FROM ${qualified(db, 'incidents')} FINAL ORDER BY incident_id`.text,
    );
    expect(status).toHaveLength(3);
    expect(status.find((s) => s.incident_id === first.incident_id)!.status).toBe('acknowledged');
    await producer.disconnect();
  });
});
