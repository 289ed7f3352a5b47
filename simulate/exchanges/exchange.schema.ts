// The recorded-exchange line format the generators write (one JSON object per NDJSON line): who,
// which server, the JSON-RPC request and its response. The base is capture's own import contract
// (`exchangeRecord`, what `mcp-audit capture import` reads); on top, what our generator promises
// and tests hold it to: JSON-RPC 2.0, no batches, a string id on every request (the exchange's
// stable id, unique per file), a W3C traceparent on every request of an agent run, a response to
// the same id, and no fields the contract does not name.
import { z } from 'zod';
import { exchangeRecord } from '../../capture/exchange.import.ts';

export const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/;

const meta = z.looseObject({ traceparent: z.string().regex(TRACEPARENT) });

export const jsonRpcRequest = z.strictObject({
  jsonrpc: z.literal('2.0'),
  id: z.string().min(1),
  method: z.string().min(1),
  params: z.looseObject({ _meta: meta }),
});

const textContent = z.strictObject({ type: z.literal('text'), text: z.string() });

export const jsonRpcResponse = z.union([
  z.strictObject({
    jsonrpc: z.literal('2.0'),
    id: z.string().min(1),
    result: z.looseObject({ content: z.array(textContent).optional(), isError: z.boolean().optional() }),
  }),
  z.strictObject({
    jsonrpc: z.literal('2.0'),
    id: z.string().min(1),
    error: z.strictObject({ code: z.number().int(), message: z.string().min(1) }),
  }),
]);

const generatorPromises = z.object({
  client: z.strictObject({ name: z.string().min(1), version: z.string().min(1) }).optional(),
  server: z.strictObject({ name: z.string().min(1), transport: z.enum(['stdio', 'http', 'streamable-http', 'sse']) }),
  request: jsonRpcRequest,
  response: jsonRpcResponse.nullable(),
  duration_ms: z.number().int().min(0).optional(),
});

const FIELDS = new Set(['ts', 'tenant_id', 'user_id', 'agent_id', 'client', 'session_id', 'server', 'request', 'response', 'duration_ms']);

export const exchangeSchema = exchangeRecord
  .and(generatorPromises)
  .superRefine((x, ctx) => {
    for (const key of Object.keys(x)) if (!FIELDS.has(key)) ctx.addIssue({ code: 'custom', message: `field ${key} is not in the exchange format` });
    if (x.response && x.response.id !== x.request.id) ctx.addIssue({ code: 'custom', message: 'response id differs from request id' });
    if (x.request.method === 'tools/call') {
      const p = x.request.params as { name?: unknown; arguments?: unknown };
      if (typeof p.name !== 'string' || !p.name) ctx.addIssue({ code: 'custom', message: 'tools/call without a tool name' });
      if (p.arguments === null || typeof p.arguments !== 'object' || Array.isArray(p.arguments)) ctx.addIssue({ code: 'custom', message: 'tools/call without an arguments object' });
    }
  });

/** One exchange as the generator builds it. */
export interface Exchange {
  ts: string;
  tenant_id: string;
  user_id: string;
  agent_id?: string;
  client?: { name: string; version: string };
  session_id?: string;
  server: z.infer<typeof generatorPromises>['server'];
  request: z.infer<typeof jsonRpcRequest>;
  response: z.infer<typeof jsonRpcResponse> | null;
  duration_ms?: number;
}

export type ToolDef = { name: string; description: string; inputSchema: Record<string, unknown> };
