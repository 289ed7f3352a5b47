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
});
