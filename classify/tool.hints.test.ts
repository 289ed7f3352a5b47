import { describe, expect, it } from 'vitest';
import { makeEvent } from '../test/support/events.factory.ts';
import { loadCatalogue } from './catalogue.ts';
import { classify } from './classify.ts';
import { ToolHintsMemory } from './tool.hints.ts';

const catalogue = loadCatalogue();
const listing = (tenant: string, server: string, tools: { name: string; description?: string; input_keys?: string[] }[]) => ({ kind: 'tool_list', tenant_id: tenant, server: { name: server }, tools });

describe('tool hints memory', () => {
  it('classifies a call of an unlisted tool from the description and input keys its server listed', () => {
    const memory = new ToolHintsMemory();
    memory.observe(listing('t1', 'acme-bank', [{ name: 'op7', description: 'Sends money to a recipient account.', input_keys: ['recipient', 'amount'] }]));
    const call = makeEvent({ kind: 'tool_call', tenant_id: 't1', server: { name: 'acme-bank', transport: 'stdio' }, tool: { name: 'op7' }, resource: undefined, arguments: undefined }, { seed: 1 });
    expect(classify(call, catalogue).class).toBe('unknown');
    const hints = memory.hintsFor('t1', 'acme-bank', 'op7');
    expect(classify(call, catalogue, hints)).toMatchObject({ class: 'payment.send', inferred: true, reason: 'keys(recipient+amount) description(send money)' });
    // The same object until the next listing, so classify's cache holds.
    expect(memory.hintsFor('t1', 'acme-bank', 'op7')).toBe(hints);
    expect(memory.hintsFor('t2', 'acme-bank', 'op7')).toBeUndefined();
  });

  it('replaces a server\'s tools on the next listing and ignores other events', () => {
    const memory = new ToolHintsMemory();
    memory.observe(listing('t1', 's', [{ name: 'a', description: 'one' }]));
    memory.observe({ kind: 'tool_call', tenant_id: 't1', server: { name: 's' } });
    expect(memory.hintsFor('t1', 's', 'a')?.description).toBe('one');
    memory.observe(listing('t1', 's', [{ name: 'b' }]));
    expect(memory.hintsFor('t1', 's', 'a')).toBeUndefined();
    expect(memory.hintsFor('t1', 's', 'b')).toEqual({ description: undefined, inputKeys: undefined });
  });

  it('forgets the least recently listed server beyond its bound', () => {
    const memory = new ToolHintsMemory(2);
    memory.observe(listing('t', 's1', [{ name: 'x' }]));
    memory.observe(listing('t', 's2', [{ name: 'x' }]));
    memory.observe(listing('t', 's1', [{ name: 'x' }]));
    memory.observe(listing('t', 's3', [{ name: 'x' }]));
    expect(memory.size).toBe(2);
    expect(memory.hintsFor('t', 's2', 'x')).toBeUndefined();
    expect(memory.hintsFor('t', 's1', 'x')).toBeDefined();
  });
});
