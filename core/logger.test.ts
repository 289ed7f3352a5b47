import { describe, expect, it } from 'vitest';
import { createLogger, scrubSecrets } from './logger.ts';

function capture() {
  const lines: string[] = [];
  const log = createLogger('info', 'test', { write: (s: string) => void lines.push(s) });
  return { log, text: () => lines.join('') };
}

describe('logger', () => {
  it('scrubs credentials from URLs and key=value pairs in free text', () => {
    expect(scrubSecrets('connect http://default:hunter2@127.0.0.1:8123/ failed')).toBe('connect http://[redacted]@127.0.0.1:8123/ failed');
    expect(scrubSecrets('dsn host=db password=hunter2 user=x')).toBe('dsn host=db password=[redacted] user=x');
  });

  it('redacts secret keys at any of the first three levels', () => {
    const { log, text } = capture();
    log.info({ password: 'hunter2', clickhouse: { password: 'hunter2' }, dest: { headers: { authorization: 'Bearer abc' } } }, 'x');
    expect(text()).not.toContain('hunter2');
    expect(text()).not.toContain('Bearer abc');
    expect(text()).toContain('[redacted]');
  });

  it('scrubs secrets from logged error messages', () => {
    const { log, text } = capture();
    log.error({ err: new Error('request to http://u:hunter2@ch:8123 failed') }, 'insert failed');
    expect(text()).not.toContain('hunter2');
    expect(JSON.parse(text()).err.message).toContain('[redacted]');
  });
});
