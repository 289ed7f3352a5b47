// The reverse of a vendor's mapping: which capability and neutral action a recorded tools/call is,
// with its arguments under the neutral names (lists split again). Tests and evaluations use it to
// ask vendor-independent questions of the traffic ("a mail send whose recipient ...").
import type { Exchange } from './exchange.schema.ts';
import { VENDORS } from './vendors.ts';
import type { Capability } from './capabilities.ts';
import { CAPABILITIES } from './capabilities.ts';

export interface NeutralCall {
  capability: Capability;
  action: string;
  args: Record<string, unknown>;
}

export function neutralCall(x: Exchange): NeutralCall | undefined {
  if (x.request.method !== 'tools/call') return undefined;
  const p = x.request.params as unknown as { name: string; arguments: Record<string, unknown> };
  for (const list of Object.values(VENDORS)) {
    for (const v of list) {
      if (v.server !== x.server.name) continue;
      for (const [action, [name, rename = {}]] of Object.entries(v.tools)) {
        if (name !== p.name) continue;
        const back = Object.fromEntries(Object.entries(rename).map(([k, vk]) => [vk, k]));
        const params = (CAPABILITIES[v.capability] as Record<string, { params: Record<string, { type: string }> }>)[action]!.params;
        const args: Record<string, unknown> = {};
        for (const [k, value] of Object.entries(p.arguments)) {
          const key = back[k] ?? k;
          args[key] = params[key]?.type === 'string[]' && typeof value === 'string' ? value.split(/,\s*/) : value;
        }
        return { capability: v.capability, action, args };
      }
    }
  }
  return undefined;
}
