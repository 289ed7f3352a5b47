// Real Streamable HTTP MCP servers on loopback, one per SDK generation: the 1.x SDK with 2025-era
// sessions (one SDK server per `Mcp-Session-Id`), and the 2.x SDK's stateless entry (one server per
// request, 2026-07-28, with 2025-era requests served statelessly).
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, type McpServer as McpServerV2 } from '@modelcontextprotocol/server';
import type { McpServer as McpServerV1 } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

export interface Upstream {
  url: URL;
  close(): void;
}

async function listen(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<Upstream> {
  const server: Server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`),
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** A 1.x server with sessions: `make` builds the SDK server of each new session. */
export function sessionfulV1(make: () => McpServerV1, opts: { enableJsonResponse?: boolean } = {}): Promise<Upstream> {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  return listen(async (req, res) => {
    const sid = req.headers['mcp-session-id'];
    let transport = typeof sid === 'string' ? sessions.get(sid) : undefined;
    if (!transport) {
      const created: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        enableJsonResponse: opts.enableJsonResponse ?? false,
        onsessioninitialized: (id) => void sessions.set(id, created),
      });
      transport = created;
      await make().connect(transport);
    }
    await transport.handleRequest(req, res);
  });
}

/** The 2.x stateless entry: `make` builds the SDK server of each request. */
export function statelessV2(make: () => McpServerV2): Promise<Upstream> {
  const handle = toNodeHandler(createMcpHandler(make));
  return listen((req, res) => void handle(req, res));
}
