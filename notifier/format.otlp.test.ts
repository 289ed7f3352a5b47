import { describe, expect, it } from 'vitest';
import { makeAlert } from '../test/support/alerts.factory.ts';
import { findingAttributes, otlpRejection } from './format.otlp.ts';

/** ExportLogsServiceResponse { partial_success (1) { rejected_log_records (1): n, error_message (2): msg } }, by hand. */
function partialSuccessProto(rejected: number, message: string): Buffer {
  const msg = Buffer.from(message);
  const inner = Buffer.concat([Buffer.from([0x08, rejected, 0x12, msg.length]), msg]);
  return Buffer.concat([Buffer.from([0x0a, inner.length]), inner]);
}

describe('OTLP partial success', () => {
  it('reads rejected records from protobuf and JSON answers', () => {
    expect(otlpRejection(partialSuccessProto(2, 'too big'), 'application/x-protobuf')).toBe('2 log record(s) rejected: too big');
    expect(otlpRejection(Buffer.from('{"partialSuccess":{"rejectedLogRecords":"1","errorMessage":"bad attr"}}'), 'application/json')).toBe('1 log record(s) rejected: bad attr');
    expect(otlpRejection(Buffer.from('{"partialSuccess":{"rejectedLogRecords":1}}'), 'application/json; charset=utf-8')).toBe('1 log record(s) rejected: no reason given');
  });

  it('a full success, an empty answer or a body that is not OTLP rejects nothing', () => {
    expect(otlpRejection(Buffer.alloc(0), 'application/x-protobuf')).toBeNull();
    expect(otlpRejection(undefined, null)).toBeNull();
    expect(otlpRejection(Buffer.from('{"partialSuccess":{}}'), 'application/json')).toBeNull();
    expect(otlpRejection(partialSuccessProto(0, ''), 'application/x-protobuf')).toBeNull();
    expect(otlpRejection(Buffer.from('<html>ok</html>'), 'text/html')).toBeNull();
  });
});

describe('finding attributes', () => {
  it('fall back to custom:<rule kind> when no tag names a risk category', () => {
    const a = { ...makeAlert(1), tags: ['anomaly'], rule: { id: 'baseline.x', version: 1, title: 'T', kind: 'baseline' as const } };
    expect(findingAttributes(a, { policy_id: 'p' })['gen_ai.guardrail.security.risk.category']).toBe('custom:baseline');
  });

  it('a drift finding judges a tool definition; the risk score is scaled to [0, 1]', () => {
    const base = makeAlert(2);
    const drift = { ...base, risk_score: 100, tags: ['tool_poisoning'], evidence: base.evidence.map((e) => ({ ...e, kind: 'tool_list' })) };
    const attrs = findingAttributes(drift, { policy_id: 'p' });
    expect(attrs['gen_ai.guardrail.target.subtype']).toBe('tool_definition');
    expect(attrs['gen_ai.guardrail.security.risk.score']).toBe(1);
    expect(attrs['gen_ai.guardrail.security.risk.category']).toBe('prompt_injection');
    expect(attrs['gen_ai.guardrail.security.content.input.hash']).toBeUndefined();
  });
});
