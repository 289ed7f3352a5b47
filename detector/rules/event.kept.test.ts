import { describe, expect, it } from 'vitest';
import { call } from './event.builder.ts';
import { keptEvent } from './event.kept.ts';
import { evidenceItem } from './alert.ts';

describe('keptEvent', () => {
  it('leaves a v1 event and a v2 event without fingerprints as they are', () => {
    const v1 = call({ at: '+0s', server: 'filesystem', tool: 'read_file', paths: ['/x'] });
    expect(keptEvent(v1)).toBe(v1);
    const v2 = call({ at: '+0s', server: 'mail', tool: 'list', episode: 'run-1' });
    expect(keptEvent(v2)).toBe(v2);
  });

  it('drops the result and argument fingerprints, keeps destinations and every other field', () => {
    const e = call({ at: '+0s', server: 'mail', tool: 'send_email', recipients: ['a@b.example'], fp: { args: ['text:hello'], result: ['email:x@y.example'], dest: ['email:a@b.example'], parties: ['email:x@y.example'] } });
    const kept = keptEvent(e);
    if (e.schema_version !== 2 || kept.schema_version !== 2) throw new Error('v2 expected');
    expect(kept.fingerprints).toEqual({ arguments: [], result: [], destinations: e.fingerprints!.destinations });
    expect({ ...kept, fingerprints: e.fingerprints }).toEqual(e);
    expect(evidenceItem(kept, 'email.send')).toEqual(evidenceItem(e, 'email.send'));
    // The caller's event is not changed.
    expect(e.fingerprints!.result).toHaveLength(1);
  });

  it('drops the lists altogether when there is no destination', () => {
    const e = call({ at: '+0s', server: 'mail', tool: 'get_unread_emails', fp: { result: ['email:x@y.example'] } });
    const kept = keptEvent(e);
    expect(kept.schema_version === 2 && kept.fingerprints).toBeUndefined();
  });
});
