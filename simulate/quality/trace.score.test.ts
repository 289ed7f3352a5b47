import { describe, expect, it } from 'vitest';
import { scoreTraces, type ScoredEvent, type TraceLabel } from './trace.score.ts';

const labels: TraceLabel[] = [
  { trace_id: 'a1', attack: true, attack_class: 'exfiltration', harmful_exchange_ids: ['a1#2'], revealable: true, first_harmful_action_ts: '2026-01-01T00:00:10Z' },
  { trace_id: 'a2', attack: true, attack_class: 'exfiltration', harmful_exchange_ids: ['a2#2'], revealable: true, first_harmful_action_ts: '2026-01-01T00:00:10Z' },
  { trace_id: 'a3', attack: true, attack_class: 'other', harmful_exchange_ids: [], revealable: false, not_revealable_reason: 'reply text only' },
  { trace_id: 'b1', attack: false },
  { trace_id: 'b2', attack: false },
];
const events: ScoredEvent[] = [
  ...['a1#1', 'a1#2', 'a2#1', 'a2#2', 'a3#1', 'b1#1', 'b1#2', 'b2#1'].map((x) => ({ event_id: `e-${x}`, exchange_id: x, trace_id: x.split('#')[0]! })),
];

describe('scoreTraces', () => {
  it('counts a trace caught only through its harmful calls, and a benign trace alerted only by a false alert', () => {
    const s = scoreTraces(labels, events, [
      // Caught a1 through its harmful call; its evidence also shows the victim's benign run b1.
      { rule: 'r.inject', severity: 'high', ts: Date.parse('2026-01-01T00:00:12Z'), evidence: ['e-a1#1', 'e-a1#2', 'e-b1#1'] },
      // Touches a2 but not its harmful call: a2 stays missed, and the alert is not false.
      { rule: 'r.weak', severity: 'high', ts: 0, evidence: ['e-a2#1'] },
      // A false alert on b2.
      { rule: 'r.noisy', severity: 'critical', ts: 0, evidence: ['e-b2#1'] },
    ]);
    expect(s).toMatchObject({ attack_traces: 3, revealable_attack_traces: 2, caught: 1, recall: 0.5, benign_traces: 2, benign_traces_alerted: 1, false_alerts: 1, high_severity_false_alerts: 1 });
    expect(s.benign_events).toBe(3);
    expect(s.high_severity_fp_per_million_events).toBeCloseTo(1e6 / 3);
    expect(s.missed).toEqual([{ trace_id: 'a2', attack_class: 'exfiltration' }]);
    expect(s.classes.find((c) => c.attack_class === 'exfiltration')).toMatchObject({ caught: 1, revealable: 2, median_seconds_to_alert: 2 });
    expect(s.classes.find((c) => c.attack_class === 'other')).toMatchObject({ revealable: 0, recall: null });
    expect(s.false_alerts_by_rule).toEqual({ 'r.noisy': 1 });
    expect(s.true_alerts_by_rule).toEqual({ 'r.inject': 1 });
  });
});
