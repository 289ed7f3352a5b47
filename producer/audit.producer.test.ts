import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeEvent } from '../test/support/events.factory.ts';
import { encodeEvent, EventRejectedError } from './audit.producer.ts';

describe('producer library: encodeEvent', () => {
  it('keys a valid event tenant_id:user_id and sends its JSON', () => {
    const e = makeEvent({ tenant_id: 'acme' });
    const { message } = encodeEvent(e);
    expect(message.key).toBe(`acme:${e.actor.user_id}`);
    expect(JSON.parse(String(message.value))).toEqual(e);
  });

  it('accepts a v2 event as well, keyed the same way', () => {
    const e = JSON.parse(readFileSync(new URL('../schemas/fixtures/v2/valid/tool-call-send-money-with-destinations.json', import.meta.url), 'utf8'));
    const { event, message } = encodeEvent(e);
    expect(event.schema_version).toBe(2);
    expect(message.key).toBe(`acme:${e.actor.user_id}`);
    expect(JSON.parse(String(message.value))).toEqual(e);
  });

  it('rejects an invalid event with every problem named', () => {
    const e = { ...makeEvent(), event_id: 'nope', extra: 1 };
    try {
      encodeEvent(e);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(EventRejectedError);
      const issues = (err as EventRejectedError).issues.join('\n');
      expect(issues).toContain('event_id');
      expect(issues).toContain('extra');
    }
  });

  it('rejects an event over the size limit', () => {
    const e = makeEvent({ arguments: { preview: 'x'.repeat(4000), sha256: 'a'.repeat(64), size_bytes: 4000 } });
    expect(() => encodeEvent(e, 2048)).toThrow(/limit 2048/);
  });
});
