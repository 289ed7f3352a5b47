import { describe, expect, it } from 'vitest';
import { FailedAuthLimiter } from './failed.auth.limiter.ts';

describe('FailedAuthLimiter', () => {
  it('limits an address after max failures within the window, and lets it go when the window ends', () => {
    const l = new FailedAuthLimiter({ max: 3, windowMs: 60_000 });
    for (let i = 0; i < 3; i++) {
      expect(l.retryAfterMs('10.0.0.1', 1_000)).toBe(0);
      l.fail('10.0.0.1', 1_000);
    }
    expect(l.retryAfterMs('10.0.0.1', 2_000)).toBe(59_000);
    expect(l.retryAfterMs('10.0.0.2', 2_000)).toBe(0);
    expect(l.retryAfterMs('10.0.0.1', 61_000)).toBe(0);
  });

  it('forgets the oldest addresses beyond its bound', () => {
    const l = new FailedAuthLimiter({ max: 1, windowMs: 60_000, maxAddresses: 2 });
    l.fail('a', 0);
    l.fail('b', 0);
    l.fail('c', 0);
    expect(l.retryAfterMs('a', 1)).toBe(0);
    expect(l.retryAfterMs('c', 1)).toBeGreaterThan(0);
  });
});
