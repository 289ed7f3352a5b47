// One agent run (episode) of one user: a W3C trace id shared by all its exchanges, a clock that
// advances with the model's thinking and each tool's duration, and the `tools/list` a client sends
// before it first uses a server that day. Each exchange gets a stable id: the labelled trace it
// belongs to, '#', then its place (`u017.d14.r03#5`; `u017.a12#r2.4` for the second run of an attack),
// the shape the evaluation harness reads a trace off.
import type { Rng } from '../rng.ts';
import type { Capability } from './capabilities.ts';
import type { Exchange, ToolDef } from './exchange.schema.ts';
import type { PopUser } from './population.ts';
import { toolCall, toolDefs, type Vendor } from './vendors.ts';
import { uuid } from './values.ts';

/** A tool result: text, a tool-level error (isError), a JSON-RPC error, or no response at all. */
export type Result = string | { toolError: string } | { rpcError: string } | { noResponse: true };

export interface RunOptions {
  /** Servers whose tools this user's client already listed today (shared across the day's runs). */
  listed: Set<string>;
  vendorOverride?: Partial<Record<Capability, Vendor>>;
  /** Chance that a call first fails (tool error, JSON-RPC error or no response) and is retried. */
  flaky?: number;
}

const FAILURES: readonly Result[] = [
  { toolError: 'Error: request timed out after 30000 ms' },
  { toolError: 'Error: upstream returned 503 Service Unavailable' },
  { rpcError: 'Internal error' },
  { noResponse: true },
];

// Tool latency ranges in ms: shells, the web, databases and banks are slower than local reads.
const DURATION: Readonly<Partial<Record<Capability, [number, number]>>> = { shell: [120, 9000], web: [150, 2500], db: [40, 3000], pay: [300, 1800] };

export class Run {
  readonly exchanges: Exchange[] = [];
  readonly traceId: string;
  readonly agentId: string;
  private readonly sessionId: string | undefined;
  private seq = 0;
  /** The run's clock in epoch ms. */
  t: number;

  readonly user: PopUser;
  readonly rng: Rng;
  /** Everything before the call number, e.g. `u017.d14.r03#` or `u017.a12#r2.`. */
  private readonly idPrefix: string;
  private readonly opts: RunOptions;

  constructor(user: PopUser, rng: Rng, start: number, idPrefix: string, opts: RunOptions) {
    this.user = user;
    this.rng = rng;
    this.idPrefix = idPrefix;
    this.opts = opts;
    this.t = start;
    this.traceId = rng.hex(32);
    this.agentId = rng.pick(user.agents);
    this.sessionId = user.sendsSessionId ? uuid(rng) : undefined;
  }

  vendor(cap: Capability): Vendor {
    const v = this.opts.vendorOverride?.[cap] ?? this.user.stack[cap];
    if (!v) throw new Error(`${this.user.key} (${this.user.role}) has no ${cap} server`);
    return v;
  }

  wait(ms: number): void {
    this.t += Math.round(ms);
  }

  private nextId(): string {
    return `${this.idPrefix}${++this.seq}`;
  }

  private envelope(vendor: Vendor, request: Exchange['request'], response: Exchange['response'], durationMs: number): Exchange {
    const x: Exchange = {
      ts: new Date(this.t).toISOString(),
      tenant_id: this.user.tenant.id,
      user_id: this.user.user_id,
      agent_id: this.agentId,
      client: { ...this.user.client },
      ...(this.sessionId ? { session_id: this.sessionId } : {}),
      server: { name: vendor.server, transport: vendor.transport },
      request,
      response,
      duration_ms: durationMs,
    };
    this.t += durationMs;
    this.exchanges.push(x);
    return x;
  }

  private meta() {
    return { traceparent: `00-${this.traceId}-${this.rng.hex(15)}1-01` };
  }

  /** A `tools/list` of the vendor (its own tools unless given), marked as listed for the day. */
  list(vendor: Vendor, tools: ToolDef[] = toolDefs(vendor)): Exchange {
    this.opts.listed.add(vendor.server);
    this.wait(this.rng.int(80, 600));
    const id = this.nextId();
    return this.envelope(vendor, { jsonrpc: '2.0', id, method: 'tools/list', params: { _meta: this.meta() } }, { jsonrpc: '2.0', id, result: { tools } }, this.rng.int(5, 120));
  }

  /** Calls a neutral action through the user's vendor for `cap`; lists the server first if needed. */
  call(cap: Capability, action: string, args: Readonly<Record<string, unknown>>, result: Result, think: [number, number] = [2, 25]): Exchange {
    const vendor = this.vendor(cap);
    const { name, arguments: a } = toolCall(vendor, action, args);
    if (this.opts.flaky && this.rng.chance(this.opts.flaky)) {
      this.callTool(vendor, name, a, this.rng.pick(FAILURES), think, DURATION[cap]);
      return this.callTool(vendor, name, a, result, [1, 8], DURATION[cap]);
    }
    return this.callTool(vendor, name, a, result, think, DURATION[cap]);
  }

  /** Calls a tool by its own name (for servers outside the capability catalogue, e.g. a poisoned one). */
  callTool(vendor: Vendor, name: string, args: Record<string, unknown>, result: Result, think: [number, number] = [2, 25], duration: [number, number] = [30, 900]): Exchange {
    if (!this.opts.listed.has(vendor.server)) this.list(vendor);
    this.wait(this.rng.int(think[0] * 1000, think[1] * 1000));
    const id = this.nextId();
    let response: Exchange['response'];
    if (typeof result === 'string') response = { jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: result }] } };
    else if ('toolError' in result) response = { jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: result.toolError }], isError: true } };
    else if ('rpcError' in result) response = { jsonrpc: '2.0', id, error: { code: -32603, message: result.rpcError } };
    else response = null;
    return this.envelope(vendor, { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args, _meta: this.meta() } }, response, this.rng.int(duration[0], duration[1]));
  }
}

/** The text of a successful tools/call response ('' otherwise). */
export function resultText(x: Exchange): string {
  const r = x.response;
  if (!r || !('result' in r)) return '';
  return (r.result.content ?? []).map((c) => c.text).join('\n');
}
