// The provenance store on its own: which remembered result a search finds, in which order, and
// what it forgets. The engine-level behaviour (rules, alerts, episodes) is in signals.engine.test.ts.
import { describe, expect, it } from 'vitest';
import { isoToMs } from '../../core/iso.time.ts';
import { call, fixtureFingerprint as fp, type CallSpec } from './event.builder.ts';
import { ProvenanceStore } from './provenance.ts';
import type { Ev, UserState } from './rule.types.ts';

const user = { tenant: 'acme', user: 'alice@acme.com', baseline: undefined, recentDestinations: null } as unknown as UserState;

function ev(spec: CallSpec, labels: string[] = ['untrusted_content']): Ev {
  const e = call(spec);
  return { e, ts: isoToMs(e.ts), cls: { class: 'email.read', inferred: false, labels }, user, origin: undefined };
}
const UNTRUSTED = 1;
const PRIVATE = 2;
const send = (at: string, ...values: string[]) => ev({ at, tool: 'send_email', fp: { args: values } }, ['external_sink']);
const find = (store: ProvenanceStore, sink: Ev, mask = UNTRUSTED, sinceTs = -Infinity) =>
  store.find((sink.e.schema_version === 2 && sink.e.fingerprints?.arguments) || [], mask, sinceTs, sink, null);

describe('ProvenanceStore', () => {
  it('finds the most recent result holding a value, with the right label and not older than asked', () => {
    const store = new ProvenanceStore(100);
    const a = ev({ at: '+0s', fp: { result: ['email:x@evil.example', 'id:1'] } });
    const b = ev({ at: '+10s', fp: { result: ['email:x@evil.example'] } });
    const c = ev({ at: '+20s', fp: { result: ['id:2'] } }, ['private_data']);
    for (const x of [a, b, c]) store.record(x);
    expect(find(store, send('+30s', fp('email:x@evil.example')))).toBe(b);
    expect(find(store, send('+30s', fp('id:1')))).toBe(a);
    expect(find(store, send('+30s', fp('id:2')))).toBeUndefined();
    expect(find(store, send('+30s', fp('id:2')), PRIVATE)).toBe(c);
    expect(find(store, send('+30s', fp('id:1')), UNTRUSTED, b.ts)).toBeUndefined();
    expect(find(store, send('+30s', fp('id:9')))).toBeUndefined();
  });

  it('slots a late call in event-time order, and a call later than the sink is no source of it', () => {
    const store = new ProvenanceStore(100);
    const a = ev({ at: '+0s', fp: { result: ['id:1'] } });
    const late = ev({ at: '+5s', fp: { result: ['id:1', 'id:2'] } });
    const c = ev({ at: '+20s', fp: { result: ['id:1'] } });
    store.record(a);
    store.record(c);
    store.record(late);
    expect(store.size()).toBe(3);
    expect(find(store, send('+10s', fp('id:1')))).toBe(late);
    expect(find(store, send('+10s', fp('id:2')))).toBe(late);
    expect(find(store, send('+30s', fp('id:1')))).toBe(c);
    expect(find(store, send('+3s', fp('id:1')))).toBe(a);
  });

  it('keeps the last `max` sources and forgets the oldest', () => {
    const store = new ProvenanceStore(3);
    const evs = [0, 1, 2, 3, 4].map((i) => ev({ at: `+${i}s`, fp: { result: [`id:${i}`, 'id:common'] } }));
    for (const x of evs) store.record(x);
    expect(store.size()).toBe(3);
    expect(find(store, send('+9s', fp('id:0')))).toBeUndefined();
    expect(find(store, send('+9s', fp('id:1')))).toBeUndefined();
    for (const i of [2, 3, 4]) expect(find(store, send('+9s', fp(`id:${i}`)))).toBe(evs[i]);
    expect(find(store, send('+9s', fp('id:common')))).toBe(evs[4]);
  });

  it('forgets in order over many calls, with late calls slotted in between', () => {
    const store = new ProvenanceStore(4);
    const evs: Ev[] = [];
    for (let i = 0; i < 60; i++) {
      // Every fifth call arrives after its successor (within the lateness).
      const x = ev({ at: `+${i % 5 === 4 ? i * 1000 - 1500 : i * 1000}ms`, fp: { result: [`id:${i}`] } });
      evs.push(x);
      store.record(x);
      expect(store.size()).toBe(Math.min(i + 1, 4));
    }
    // The four newest by event time are 56, 57, 58 and 59 (59 arrived late at 57.5 s).
    for (const i of [56, 57, 58, 59]) expect(find(store, send('+99s', fp(`id:${i}`)))).toBe(evs[i]);
    for (const i of [0, 30, 54, 55]) expect(find(store, send('+99s', fp(`id:${i}`)))).toBeUndefined();
  });

  it('searches a large result through a set, and leaves out a value that only named a party', () => {
    const store = new ProvenanceStore(100);
    const values = Array.from({ length: 40 }, (_, i) => `id:${i}`);
    const big = ev({ at: '+0s', fp: { result: [...values, 'email:boss@acme.example'], parties: ['email:boss@acme.example'] } });
    store.record(big);
    for (const i of [0, 39]) expect(find(store, send('+9s', fp(`id:${i}`)))).toBe(big);
    const reply = send('+9s', fp('email:boss@acme.example'));
    const args = reply.e.schema_version === 2 ? reply.e.fingerprints!.arguments : [];
    expect(store.find(args, UNTRUSTED, -Infinity, reply, null)).toBe(big);
    expect(store.find(args, UNTRUSTED, -Infinity, reply, null, { exceptParties: true, skipFamiliar: false, exceptReplies: false })).toBeUndefined();
  });
});
