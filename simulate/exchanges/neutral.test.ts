import { describe, expect, it } from 'vitest';
import { CAPABILITIES } from './capabilities.ts';
import type { Exchange } from './exchange.schema.ts';
import { neutralCall } from './neutral.ts';
import { toolCall, toolDefs, VENDORS } from './vendors.ts';

const sample = (type: string) => (type === 'string[]' ? ['a@x.example', 'b@x.example'] : type === 'string' ? 'v' : type === 'boolean' ? true : 3);

describe('vendors', () => {
  it('maps every action of every vendor to a tool it lists, and back to the neutral call', () => {
    for (const list of Object.values(VENDORS)) {
      for (const v of list) {
        const listed = new Set(toolDefs(v).map((t) => t.name));
        for (const action of Object.keys(v.tools)) {
          const params = (CAPABILITIES[v.capability] as Record<string, { params: Record<string, { type: string }> }>)[action]!.params;
          const args = Object.fromEntries(Object.entries(params).map(([k, p]) => [k, sample(p.type)]));
          const call = toolCall(v, action, args);
          expect(listed.has(call.name), `${v.server} ${action}`).toBe(true);
          const x = { server: { name: v.server, transport: v.transport }, request: { jsonrpc: '2.0', id: '1', method: 'tools/call', params: { ...call, _meta: { traceparent: '' } } } } as unknown as Exchange;
          expect(neutralCall(x), `${v.server} ${action}`).toEqual({ capability: v.capability, action, args });
        }
      }
    }
  });
  it('gives tool names that differ across vendors of a capability', () => {
    for (const list of Object.values(VENDORS)) expect(new Set(list.map((v) => v.server)).size).toBe(list.length);
    const sends = VENDORS.mail.map((v) => v.tools.send![0]);
    expect(new Set(sends).size).toBe(sends.length);
  });
});
