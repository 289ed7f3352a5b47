import { describe, expect, it } from 'vitest';
import { UserTable } from './user.table.ts';

describe('UserTable', () => {
  it('keeps one state per tenant and user, also when an id is used in two tenants', () => {
    const t = new UserTable(4);
    const a = t.get('acme', 'ana@x.example');
    const b = t.get('globex', 'ana@x.example');
    expect(b).not.toBe(a);
    expect(t.get('acme', 'ana@x.example')).toBe(a);
    expect(t.get('globex', 'ana@x.example')).toBe(b);
    expect([a.tenant, b.tenant]).toEqual(['acme', 'globex']);
    expect(t.size).toBe(2);
  });

  it('finds the second tenant’s state after the first one was removed, instead of making another', () => {
    const t = new UserTable(4);
    const a = t.get('acme', 'ana');
    const b = t.get('globex', 'ana');
    expect(t.removeWhere((u) => u === a)).toBe(1);
    expect(t.get('globex', 'ana')).toBe(b);
    expect(t.size).toBe(1);
    expect(t.get('acme', 'ana')).not.toBe(a);
    expect(t.size).toBe(2);
  });

  it('removes exactly the users whose newest event is older than the cut, as a walk over all would', () => {
    // A fixed linear congruential sequence: the same events on every run.
    let seed = 11;
    const rnd = () => (seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 4_294_967_296;
    const t = new UserTable(1);
    const newest = new Map<string, number>();
    let now = 0;
    for (let step = 0; step < 20_000; step++) {
      now += Math.floor(rnd() * 400);
      // Some events late by up to two minutes; a late one does not move its user's newest time.
      const ts = now - (rnd() < 0.1 ? Math.floor(rnd() * 120_000) : 0);
      const tenant = rnd() < 0.05 ? 'globex' : 'acme';
      const user = `u${Math.floor(rnd() * 500)}`;
      const u = t.get(tenant, user);
      if (ts >= u.lastTs) t.setNewest(u, ts);
      const key = `${tenant}/${user}`;
      if (!newest.has(key) || ts > newest.get(key)!) newest.set(key, ts);
      if (step % 500 === 499) {
        const cut = now - 30 * 60_000 * rnd();
        const expected = [...newest].filter(([, last]) => last < cut).map(([k]) => k);
        for (const k of expected) newest.delete(k);
        expect(t.removeIdle(cut)).toBe(expected.length);
        expect(t.size).toBe(newest.size);
        const left = [...t.values()].map((x) => `${x.tenant}/${x.user}`).sort();
        expect(left).toEqual([...newest.keys()].sort());
      }
    }
  });

  it('does not bring back a user that removeWhere took out', () => {
    const t = new UserTable(1);
    const a = t.get('acme', 'ana');
    t.setNewest(a, 1_000);
    expect(t.removeWhere((u) => u === a)).toBe(1);
    const again = t.get('acme', 'ana');
    t.setNewest(again, 2_000);
    expect(t.removeIdle(1_500)).toBe(0);
    expect(t.get('acme', 'ana')).toBe(again);
    expect(t.removeIdle(120_000)).toBe(1);
    expect(t.size).toBe(0);
  });
});
