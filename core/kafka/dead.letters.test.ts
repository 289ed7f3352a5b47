import { describe, expect, it } from 'vitest';
import { deadLetterBackoffMs, deadLetterRequests, dlqMessage, MAX_REQUEST_BYTES, type DeadLetter } from './dead.letters.ts';

const letter = (bytes: number, offset = 0): DeadLetter => ({
  key: Buffer.from('k'),
  value: Buffer.alloc(bytes, 120),
  reason: 'schema',
  step: 'validate',
  detail: 'bad',
  source: { topic: 't', partition: 0, offset: String(offset) },
});

describe('dead letters', () => {
  it('go in requests of at most 512 KiB, in order, none lost', () => {
    const letters = Array.from({ length: 26 }, (_, i) => letter(40_200, i));
    const requests = deadLetterRequests(letters);
    expect(requests.length).toBe(3);
    expect(requests.flat()).toEqual(letters);
    for (const r of requests) expect(r.reduce((n, d) => n + d.value!.length + 512, 0)).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
  });

  it('send a letter larger than a request alone, and nothing when there is none', () => {
    const big = letter(MAX_REQUEST_BYTES + 1);
    expect(deadLetterRequests([letter(10), big, letter(10)]).map((r) => r.length)).toEqual([1, 1, 1]);
    expect(deadLetterRequests([])).toEqual([]);
  });

  it('keep the original bytes and say why, where from and when', () => {
    const m = dlqMessage({ ...letter(3, 42), headers: { 'mcp-audit-destination': 'siem' } }, new Date('2026-01-02T03:04:05Z'));
    expect(m.value).toEqual(Buffer.from('xxx'));
    expect(m.headers).toEqual({
      'mcp-audit-reason': 'schema',
      'mcp-audit-step': 'validate',
      'mcp-audit-detail': 'bad',
      'mcp-audit-time': '2026-01-02T03:04:05.000Z',
      'mcp-audit-source-topic': 't',
      'mcp-audit-source-partition': '0',
      'mcp-audit-source-offset': '42',
      'mcp-audit-destination': 'siem',
    });
  });

  it('are retried with one backoff: doubling, capped at 10 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(deadLetterBackoffMs)).toEqual([400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000]);
  });
});
