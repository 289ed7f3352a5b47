// The 1.x echo server on stdio (2025-era sessions), for tests that spawn an MCP server.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { echoServerV1 } from './echo.servers.ts';

await echoServerV1().connect(new StdioServerTransport());
