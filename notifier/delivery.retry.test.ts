import { describe, expect, it } from 'vitest';
import { backoffMs, decide, nextDelayMs, parseRetryAfter } from './delivery.retry.ts';

describe('decide', () => {
  it('2xx is delivered', () => {
    for (const status of [200, 201, 202, 204]) expect(decide({ status })).toEqual({ kind: 'delivered' });
  });
  it('410 disables the destination', () => {
    expect(decide({ status: 410 }).kind).toBe('disable');
  });
  it('408, 429 and 5xx are retried; network failures and timeouts too', () => {
    for (const status of [408, 429, 500, 502, 503, 504]) expect(decide({ status }).kind).toBe('retry');
    expect(decide({ failure: 'timeout' }).kind).toBe('retry');
    expect(decide({ failure: 'network' }).kind).toBe('retry');
  });
  it('other 4xx, 3xx and the SSRF guard go to the dead-letter topic at once', () => {
    for (const status of [400, 401, 403, 404, 413, 422, 301, 302]) {
      expect(decide({ status })).toEqual({ kind: 'dead_letter', reason: `http_${status}` });
    }
    expect(decide({ failure: 'ssrf_refused' })).toEqual({ kind: 'dead_letter', reason: 'ssrf_refused' });
  });
});

describe('backoff', () => {
  const policy = { initialMs: 100, maxMs: 5_000 };
  it('grows exponentially up to the cap, with jitter below it', () => {
    expect(backoffMs(1, policy, () => 1)).toBe(100);
    expect(backoffMs(2, policy, () => 1)).toBe(200);
    expect(backoffMs(4, policy, () => 1)).toBe(800);
    expect(backoffMs(20, policy, () => 1)).toBe(5_000);
    expect(backoffMs(20, policy, () => 0.5)).toBe(2_500);
  });
  it('never waits less than a tenth of the current cap', () => {
    expect(backoffMs(20, policy, () => 0)).toBe(500);
  });
});

describe('Retry-After', () => {
  const now = Date.parse('2025-06-01T12:00:00Z');
  it('takes seconds', () => {
    expect(parseRetryAfter('7', now)).toBe(7_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });
  it('takes an HTTP date', () => {
    expect(parseRetryAfter('Sun, 01 Jun 2025 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 01 Jun 2025 11:00:00 GMT', now)).toBe(0);
  });
  it('ignores garbage', () => {
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });
  it('wins over backoff, capped by retry_after_max_ms', () => {
    const p = { initialMs: 100, maxMs: 1_000, retryAfterMaxMs: 60_000 };
    expect(nextDelayMs(1, p, 30_000, () => 1)).toBe(30_000);
    expect(nextDelayMs(1, p, 3_600_000, () => 1)).toBe(60_000);
    expect(nextDelayMs(1, p, null, () => 1)).toBe(100);
  });
});
