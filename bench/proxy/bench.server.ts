// The MCP server (1.x SDK, stdio) that bench:proxy calls: `small` answers a short text (an
// ordinary call); `large` takes any arguments and answers a text of `bytes` bytes (the large case:
// 64 KB of arguments in, 1 MB of result out). The result text is made once, so the server's own
// time per call stays small and the same on both connections.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';
import { RESULT_BYTES, textOf } from './payloads.ts';

const result = textOf(RESULT_BYTES);
const server = new McpServer({ name: 'bench', version: '1.0.0' });
server.registerTool('small', { description: 'Answers a short text.', inputSchema: { id: z.number() } }, async ({ id }) => ({
  content: [{ type: 'text', text: `ok ${id}` }],
}));
server.registerTool('large', { description: 'Answers a large text.', inputSchema: { path: z.string(), content: z.string() } }, async () => ({
  content: [{ type: 'text', text: result }],
}));
await server.connect(new StdioServerTransport());
