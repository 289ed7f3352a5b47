// The recorded-exchange line format the generators write (one JSON object per NDJSON line): who,
// which server, the JSON-RPC request and its response. `mcp-audit capture import` reads the same
// shape; this schema is stricter where our own output should be (JSON-RPC 2.0, a trace id on every
// call of an agent run, a string id on every request) so tests catch a generator that drifts.
import { z } from 'zod';

export const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/;

const meta = z.looseObject({ traceparent: z.string().regex(TRACEPARENT) });

export const jsonRpcRequest = z.strictObject({
  jsonrpc: z.literal('2.0'),
  // The exchange's stable id: unique per file, so labels can point at it.
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

export const exchangeSchema = z
  .strictObject({
    ts: z.iso.datetime({ offset: true }),
    tenant_id: z.string().min(1),
    user_id: z.string().min(1),
    agent_id: z.string().min(1).optional(),
    client: z.strictObject({ name: z.string().min(1), version: z.string().min(1) }).optional(),
    session_id: z.string().min(1).optional(),
    server: z.strictObject({ name: z.string().min(1), transport: z.enum(['stdio', 'http', 'streamable-http', 'sse']) }),
    request: jsonRpcRequest,
    response: jsonRpcResponse.nullable(),
    duration_ms: z.number().int().min(0).optional(),
  })
  .superRefine((x, ctx) => {
    if (x.response && x.response.id !== x.request.id) ctx.addIssue({ code: 'custom', message: 'response id differs from request id' });
    if (x.request.method === 'tools/call') {
      const p = x.request.params as { name?: unknown; arguments?: unknown };
      if (typeof p.name !== 'string' || !p.name) ctx.addIssue({ code: 'custom', message: 'tools/call without a tool name' });
      if (p.arguments === null || typeof p.arguments !== 'object' || Array.isArray(p.arguments)) ctx.addIssue({ code: 'custom', message: 'tools/call without an arguments object' });
    }
  });

export type Exchange = z.infer<typeof exchangeSchema>;
export type ToolDef = { name: string; description: string; inputSchema: Record<string, unknown> };
