import { describe, expect, it } from 'vitest';
import { evidenceItem } from './alert.ts';
import { call } from './event.builder.ts';

describe('evidence items', () => {
  it('carry the arguments hash with its algorithm: keyed for v2 events, plain sha256 for v1', () => {
    const v1 = call({ at: '+0s', tool: 'read_file', args: { path: '/etc/passwd' } });
    expect(v1.schema_version).toBe(1);
    expect(evidenceItem(v1, 'file.read').arguments_hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    // Any v2 field makes the builder write a v2 event, whose arguments hash is an HMAC.
    const v2 = call({ at: '+1s', tool: 'send_email', args: { to: 'x@evil.example' }, fp: { args: ['email:x@evil.example'] } });
    expect(v2.schema_version).toBe(2);
    expect(evidenceItem(v2, 'email.send').arguments_hash).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
  });

  it('leave the hash out when the event has no arguments', () => {
    const list = call({ at: '+0s', kind: 'tool_list', tools: [{ name: 'a', description: 'b' }] });
    expect('arguments_hash' in evidenceItem(list, '')).toBe(false);
  });
});
