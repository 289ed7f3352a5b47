import { describe, expect, it } from 'vitest';
import { formatStackStatus } from './stack.ts';

describe('formatStackStatus', () => {
  it('says when a port is held by a process this stack did not start', () => {
    const line = formatStackStatus([{ name: 'kafka 3.9.2', running: false, ready: false, portHeldByOther: true, address: '127.0.0.1:9092', dir: '/x', logs: '/x/logs' }]);
    expect(line).toContain('stopped (port held by another process)');
  });
});
