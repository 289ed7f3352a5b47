import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../schemas/event.ts';
import { call } from './event.builder.ts';
import { auditEventV1 } from '../../schemas/event.v1.ts';
import { auditEventV2 } from '../../schemas/event.v2.ts';
import { ACTOR_FIELDS, EventKeeper, SERVER_FIELDS, TOOL_FIELDS } from './event.kept.ts';
import { evidenceItem } from './alert.ts';
import { UserTable } from './user.table.ts';

const userOf = (users: UserTable, e: AuditEvent) => users.get(e.tenant_id, e.actor.user_id);
const copy = <T>(o: T): T => structuredClone(o);

describe('EventKeeper', () => {
  it('keeps every field of a v1 event and of a v2 event without fingerprints, in a new object', () => {
    const keeper = new EventKeeper();
    const users = new UserTable(0);
    for (const e of [call({ at: '+0s', server: 'filesystem', tool: 'read_file', paths: ['/x'] }), call({ at: '+0s', server: 'mail', tool: 'list', episode: 'run-1' })]) {
      const before = copy(e);
      const kept = keeper.keep(e, userOf(users, e));
      expect(kept).not.toBe(e);
      expect(kept).toEqual(e);
      expect(e).toEqual(before);
    }
  });

  it('drops the result and argument fingerprints, keeps destinations and every other field', () => {
    const e = call({ at: '+0s', server: 'mail', tool: 'send_email', recipients: ['a@b.example'], fp: { args: ['text:hello'], result: ['email:x@y.example'], dest: ['email:a@b.example'], parties: ['email:x@y.example'] } });
    const kept = new EventKeeper().keep(e, userOf(new UserTable(0), e));
    if (e.schema_version !== 2 || kept.schema_version !== 2) throw new Error('v2 expected');
    expect(kept.fingerprints).toEqual({ arguments: [], result: [], destinations: e.fingerprints!.destinations });
    expect({ ...kept, fingerprints: e.fingerprints }).toEqual(e);
    expect(evidenceItem(kept, 'email.send')).toEqual(evidenceItem(e, 'email.send'));
    // The caller's event is not changed.
    expect(e.fingerprints!.result).toHaveLength(1);
  });

  it('drops the lists altogether when there is no destination', () => {
    const e = call({ at: '+0s', server: 'mail', tool: 'get_unread_emails', fp: { result: ['email:x@y.example'] } });
    const kept = new EventKeeper().keep(e, userOf(new UserTable(0), e));
    expect(kept.schema_version === 2 && kept.fingerprints).toBeUndefined();
  });

  it('shares the actor, server and tool objects between kept events while they read the same', () => {
    const keeper = new EventKeeper();
    const users = new UserTable(0);
    const keep = (e: AuditEvent) => keeper.keep(e, userOf(users, e));
    const a = keep(call({ at: '+0s', user: 'ann@acme.example', server: 'mail', tool: 'read_email' }));
    const b = keep(call({ at: '+1s', user: 'ann@acme.example', server: 'mail', tool: 'read_email' }));
    expect(b.actor).toBe(a.actor);
    expect(b.server).toBe(a.server);
    expect(b.tool).toBe(a.tool);
    // Another user's actor is never shared; the server is, by value.
    const c = keep(call({ at: '+2s', user: 'bob@acme.example', server: 'mail', tool: 'send_email' }));
    expect(c.actor).not.toBe(a.actor);
    expect(c.actor.user_id).toBe('bob@acme.example');
    expect(c.server).toBe(a.server);
    expect(c.tool).toEqual({ name: 'send_email' });
  });

  it('keeps an object of its own when a part no longer reads the same, and never changes a shared one', () => {
    const keeper = new EventKeeper();
    const users = new UserTable(0);
    const keep = (e: AuditEvent) => keeper.keep(e, userOf(users, e));
    const first = call({ at: '+0s', user: 'ann@acme.example', server: 'mail', tool: 'read_email' });
    const a = keep(first);
    const shared = copy(a);
    const next = call({ at: '+1s', user: 'ann@acme.example', server: 'mail', tool: 'read_email' });
    next.actor = { ...next.actor, client_version: '2.0' };
    next.server = { ...next.server, version: '1.1' };
    const b = keep(next);
    expect(b.actor).toEqual(next.actor);
    expect(b.server).toEqual(next.server);
    expect(b.actor).not.toBe(a.actor);
    expect(a).toEqual(shared);
    // A part with one key fewer reads differently too.
    const fewer = call({ at: '+2s', user: 'ann@acme.example', server: 'mail', tool: 'read_email' });
    expect(keep(fewer).actor).toEqual(fewer.actor);
  });

  it('compares every field the contract allows in a shared part', () => {
    // A field added to the schemas but not to these lists would let two different parts pass for one.
    const keys = (shapes: { shape: object }[]) => [...new Set(shapes.flatMap((o) => Object.keys(o.shape)))].sort();
    expect([...ACTOR_FIELDS].sort()).toEqual(keys([auditEventV1.shape.actor, auditEventV2.shape.actor]));
    expect([...SERVER_FIELDS].sort()).toEqual(keys([auditEventV1.shape.server, auditEventV2.shape.server]));
    expect([...TOOL_FIELDS].sort()).toEqual(keys([auditEventV1.shape.tool.unwrap(), auditEventV2.shape.tool.unwrap()]));
  });
});
