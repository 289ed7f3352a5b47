// The 2.x echo server on stdio (2026-07-28, and 2025-era sessions for older clients), for tests that spawn an MCP server.
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { echoServerV2 } from './echo.servers.ts';

serveStdio(echoServerV2);
