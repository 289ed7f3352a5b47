import { describe, expect, it } from 'vitest';
import { isStaleSocket } from './clickhouse.rows.ts';

describe('isStaleSocket', () => {
  it('knows a reused socket the server had closed', () => {
    expect(isStaleSocket(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isStaleSocket(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))).toBe(true);
    expect(isStaleSocket(new Error('socket hang up'))).toBe(true);
  });

  it('leaves every other failure to the caller', () => {
    expect(isStaleSocket(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' }))).toBe(false);
    expect(isStaleSocket(new Error('Code: 60. DB::Exception: Table t.events does not exist'))).toBe(false);
    expect(isStaleSocket(null)).toBe(false);
    expect(isStaleSocket('ECONNRESET')).toBe(false);
  });
});
