// The incident detail assembled from rows shaped as ClickHouse returns them, without ClickHouse:
// the summary made from the alerts, the story from the evidence of alerts and signals (stored
// events preferred), the state and history. test/api.incidents.test.ts drives the same view
// through the API with a real detector's alerts.
import { describe, expect, it } from 'vitest';
import type { EvidenceItem } from '../../schemas/alert.v1.ts';
import type { EventRowOut } from '../queries/events.queries.ts';
import type { AlertRowOut } from '../queries/incidents.queries.ts';
import { incidentDetailOf, incidentEvidence } from './incident.view.ts';

const INCIDENT = 'f'.repeat(64);
const T0 = Date.UTC(2025, 5, 30, 9);
const eventId = (n: number) => String(n).padStart(64, '0');

const evidence = (n: number, o: Partial<EvidenceItem> = {}): EvidenceItem => ({
  event_id: eventId(n),
  ts: new Date(T0 + n * 60_000).toISOString(),
  kind: 'tool_call',
  server_name: 'filesystem',
  tool_name: 'read_file',
  tool_class: 'file.read',
  resource: `/tmp/${n}`,
  status: 'ok',
  ...o,
});

function alertRow(n: number, o: { severity?: string; rule?: string; user?: string; session?: string; evidence: EvidenceItem[] }): AlertRowOut {
  return {
    alert_id: String(n).repeat(64).slice(0, 64),
    incident_id: INCIDENT,
    user_id: o.user ?? 'alice',
    session_id: o.session ?? 's1',
    agent_id: '',
    client_name: 'claude-desktop',
    rule_id: o.rule ?? 'exfil.chain',
    rule_version: 1,
    rule_title: 'A chain',
    rule_kind: 'sequence',
    severity: o.severity ?? 'high',
    risk_score: 80,
    summary: 'something happened',
    ts_ms: String(T0 + n * 60_000),
    detected_at: String(Math.floor((T0 + n * 60_000) / 1000) + 1),
    evidence_event_ids: o.evidence.map((e) => e.event_id),
    evidence_json: JSON.stringify(o.evidence),
    tags: [],
  };
}

const storedEvent = (n: number, o: Partial<EventRowOut> = {}) =>
  ({
    event_id: eventId(n),
    ts_ms: String(T0 + n * 60_000),
    user_id: 'alice',
    agent_id: 'agent-7',
    client_name: 'claude-desktop',
    server_name: 'filesystem',
    tool_name: 'read_file',
    tool_class: '',
    resource_paths: ['/home/alice/.ssh/id_rsa'],
    resource_urls: [],
    resource_recipients: [],
    resource_tables: [],
    resource_hosts: [],
    result_status: 'ok',
    ...o,
  }) as EventRowOut;

describe('incidentEvidence', () => {
  it('collects the evidence of alerts and signals and the stored events to look up, a second either side', () => {
    const alerts = [alertRow(3, { evidence: [evidence(1), evidence(3)] })];
    const signals = [alertRow(0, { user: 'alice', evidence: [evidence(0)] })];
    const found = incidentEvidence(alerts, signals);
    expect(found.evidence.map((e) => e.event_id)).toEqual([eventId(1), eventId(3), eventId(0)]);
    expect(found.lookup).toEqual({ eventIds: [eventId(1), eventId(3), eventId(0)], users: ['alice'], fromMs: T0 - 1000, toMs: T0 + 3 * 60_000 + 1000 });
  });

  it('looks nothing up when no evidence parses', () => {
    const broken = { ...alertRow(1, { evidence: [evidence(1)] }), evidence_json: '{not json' };
    expect(incidentEvidence([broken], []).lookup).toBeNull();
  });
});

describe('incidentDetailOf', () => {
  it('summarizes the alerts: highest severity, first and last time, rules, and the last session', () => {
    const alerts = [
      alertRow(1, { severity: 'medium', rule: 'a.rule', session: 's1', evidence: [evidence(1)] }),
      alertRow(5, { severity: 'critical', rule: 'b.rule', session: 's2', evidence: [evidence(5)] }),
      alertRow(3, { severity: 'low', rule: 'a.rule', session: 's3', evidence: [evidence(3)] }),
    ];
    const detail = incidentDetailOf({ incidentId: INCIDENT, alerts, signals: [], state: null, history: [], stored: [] });
    expect(detail.incident).toEqual({
      incident_id: INCIDENT,
      user_id: 'alice',
      session_id: 's3',
      status: 'open',
      severity: 'critical',
      first_alert_at: new Date(T0 + 60_000).toISOString(),
      last_alert_at: new Date(T0 + 5 * 60_000).toISOString(),
      alert_count: 3,
      rules: ['a.rule', 'b.rule'],
    });
    expect(detail).toMatchObject({ note: '', actor: '', history: [], signals: [] });
    expect(detail.alerts.map((a) => a.rule.id)).toEqual(['a.rule', 'b.rule', 'a.rule']);
    expect(detail.alerts[0]).toMatchObject({ rule: { id: 'a.rule', version: 1, title: 'A chain', kind: 'sequence' }, detected_at: new Date(T0 + 60_000 + 1000).toISOString() });
  });

  it('tells the story in event order, each evidence event once, from the stored event where ingest has it', () => {
    const alerts = [alertRow(3, { evidence: [evidence(3, { tool_name: 'send', tool_class: 'chat.send', resource: '#general' }), evidence(1)] })];
    const signals = [alertRow(2, { user: 'alice', evidence: [evidence(1), evidence(2, { tool_class: 'secret.read' })] })];
    const stored = [storedEvent(2)];
    const { story } = incidentDetailOf({ incidentId: INCIDENT, alerts, signals, state: null, history: [], stored });
    expect(story.map((s) => s.event_id)).toEqual([eventId(1), eventId(2), eventId(3)]);
    // The stored event knows the agent and the path; the class it lacks comes from the evidence.
    expect(story[1]).toMatchObject({ from_event_store: true, agent_id: 'agent-7', resource: '/home/alice/.ssh/id_rsa', tool_class: 'secret.read' });
    expect(story[2]).toMatchObject({ from_event_store: false, user_id: 'alice', tool_name: 'send', resource: '#general' });
    expect(story[2]!.text).toBe(`${new Date(T0 + 3 * 60_000).toISOString()}: alice called send of server filesystem [chat.send] on #general: ok`);
  });

  it('takes status, note and actor from the state and lists the history', () => {
    const detail = incidentDetailOf({
      incidentId: INCIDENT,
      alerts: [alertRow(1, { evidence: [] })],
      signals: [],
      state: { incident_id: INCIDENT, user_id: 'alice', session_id: 's1', status: 'acknowledged', note: 'looking', actor: 'ops (key k1)', version: '5' },
      history: [{ status: 'acknowledged', note: 'looking', actor: 'ops (key k1)', changed_at_ms: String(T0 + 3_600_000) }],
      stored: [],
    });
    expect(detail).toMatchObject({ incident: { status: 'acknowledged' }, note: 'looking', actor: 'ops (key k1)', story: [] });
    expect(detail.history).toEqual([{ status: 'acknowledged', note: 'looking', actor: 'ops (key k1)', changed_at: new Date(T0 + 3_600_000).toISOString() }]);
  });
});
