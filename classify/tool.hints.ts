// What the servers said about their tools: the last tools/list per (tenant, server), kept so a
// later call of a tool the catalogue does not know can be classified from its description and
// input keys (classify's `hints`). The same hints object is returned until the next listing, which
// lets classify reuse its cached inference by identity. Bounded: the oldest servers are forgotten.
import { classify, type Catalogue, type Classifiable, type Classification, type ToolHints } from './classify.ts';

/** Servers remembered at once (per detector); a listing of a new one beyond this drops the oldest. */
export const MAX_REMEMBERED_SERVERS = 10_000;
/** Tools remembered per server listing. */
export const MAX_TOOLS_PER_SERVER = 1024;

/** The fields of a tool_list event this reads; v1 and v2 events fit (v1 has no input_keys). */
export interface ToolListing {
  kind: string;
  tenant_id: string;
  server: { name: string };
  tools?: readonly { name: string; description?: string | undefined; input_keys?: readonly string[] | undefined }[] | undefined;
}

export class ToolHintsMemory {
  /** tenant -> server -> tool -> hints: looked up per call without building a key string. */
  private readonly byTenant = new Map<string, Map<string, Map<string, ToolHints>>>();
  /** The listed (tenant, server) pairs in the order they were last listed, for the bound. */
  private readonly order = new Map<string, readonly [string, string]>();
  private readonly maxServers: number;

  constructor(maxServers = MAX_REMEMBERED_SERVERS) {
    this.maxServers = maxServers;
  }

  /** Takes any event; only tool_list events with tools change what is remembered. */
  observe(event: ToolListing): void {
    if (event.kind !== 'tool_list' || !event.tools) return;
    const key = serverKey(event.tenant_id, event.server.name);
    const byTool = new Map<string, ToolHints>();
    for (const t of event.tools.slice(0, MAX_TOOLS_PER_SERVER)) {
      byTool.set(t.name, Object.freeze({ description: t.description, inputKeys: t.input_keys ? Object.freeze([...t.input_keys]) : undefined }));
    }
    let servers = this.byTenant.get(event.tenant_id);
    if (!servers) this.byTenant.set(event.tenant_id, (servers = new Map()));
    servers.set(event.server.name, byTool);
    // Re-inserting moves the server to the newest end of the order.
    this.order.delete(key);
    this.order.set(key, [event.tenant_id, event.server.name]);
    while (this.order.size > this.maxServers) {
      const [oldest, [tenant, server]] = this.order.entries().next().value!;
      this.order.delete(oldest);
      const m = this.byTenant.get(tenant);
      m?.delete(server);
      if (m?.size === 0) this.byTenant.delete(tenant);
    }
  }

  /** The hints for the tool an event calls (for classify, which asks only about tools the catalogue lacks). */
  readonly hintsOfEvent = (e: Classifiable): ToolHints | undefined =>
    e.tool === undefined ? undefined : this.hintsFor(e.tenant_id ?? '', e.server.name, e.tool.name);

  /** The hints for one tool, or undefined when its server's listing was not seen. */
  hintsFor(tenantId: string, serverName: string, toolName: string): ToolHints | undefined {
    return this.byTenant.get(tenantId)?.get(serverName)?.get(toolName);
  }

  get size(): number {
    return this.order.size;
  }
}

const serverKey = (tenantId: string, serverName: string) => `${tenantId}\u0000${serverName}`;

/**
 * Classifies an event with what its server's last tools/list said about the tool, and remembers
 * listings as they pass. Ingest and the detector both classify this way, so the class stored in
 * ClickHouse is the class the rules matched on.
 */
export function classifyWithHints(memory: ToolHintsMemory, e: ToolListing & Classifiable, catalogue: Catalogue): Classification {
  if (e.kind === 'tool_list') {
    memory.observe(e);
    return classify(e, catalogue);
  }
  return classify(e, catalogue, memory.hintsOfEvent);
}
