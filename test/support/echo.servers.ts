// The same small MCP server built with each SDK generation, for the capture tests: `echo` answers
// with its text and the trace context it received in `_meta` (so a test sees that trace context
// passed through unchanged), `fail` answers with a tool error. 1.x speaks 2025-era sessions; 2.x
// speaks stateless 2026-07-28 and, to older clients, 2025-era too.
import { McpServer as McpServerV1 } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpServer as McpServerV2 } from '@modelcontextprotocol/server';
import { z } from 'zod';

export const ECHO_V1 = { name: 'echo-v1', version: '1.32.2' };
export const ECHO_V2 = { name: 'echo-v2', version: '2.4.0' };

const traceOf = (meta: Record<string, unknown> | undefined) => ({ traceparent: meta?.traceparent ?? null, tracestate: meta?.tracestate ?? null });
const echoed = (text: string, meta: Record<string, unknown> | undefined) => ({ content: [{ type: 'text' as const, text: JSON.stringify({ text, ...traceOf(meta) }) }] });
const failed = { isError: true, content: [{ type: 'text' as const, text: 'no such record' }] };

export function echoServerV1(): McpServerV1 {
  const server = new McpServerV1(ECHO_V1);
  server.registerTool('echo', { description: 'Echoes a text.', inputSchema: { text: z.string() } }, async ({ text }, extra) => echoed(text, extra._meta));
  server.registerTool('fail', { description: 'Always fails.', inputSchema: { id: z.string() } }, async () => failed);
  return server;
}

export function echoServerV2(): McpServerV2 {
  const server = new McpServerV2(ECHO_V2);
  server.registerTool('echo', { description: 'Echoes a text.', inputSchema: z.object({ text: z.string() }) }, async ({ text }, ctx) => echoed(text, ctx.mcpReq._meta));
  server.registerTool('fail', { description: 'Always fails.', inputSchema: z.object({ id: z.string() }) }, async () => failed);
  return server;
}
