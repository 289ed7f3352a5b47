// `mcp-audit proxy`: audits any MCP server without changing it. stdio mode wraps the server's
// command (`mcp-audit proxy --user alice -- npx -y @modelcontextprotocol/server-filesystem /data`);
// HTTP mode sits in front of a Streamable HTTP server (`--http --listen 127.0.0.1:8931 --upstream
// https://mcp.example.com/mcp`). In stdio mode stdout is the JSON-RPC channel, so logs go to stderr.
import type { Command } from 'commander';
import { pino } from 'pino';
import { createCapture, identityFrom } from '../capture/capture.ts';
import { startHttpProxy } from '../capture/proxy.http.ts';
import { startStdioProxy } from '../capture/proxy.stdio.ts';
import { ConfigError, loadConfig } from '../core/config.ts';
import { startHealthServer } from '../core/health.server.ts';
import { createKafka } from '../core/kafka.ts';
import { runUntilSignal } from '../core/lifecycle.ts';
import { createLogger } from '../core/logger.ts';
import { createRegistry } from '../core/metrics.ts';

interface ProxyFlags {
  user?: string;
  tenant?: string;
  agent?: string;
  serverName?: string;
  http?: boolean;
  listen: string;
  upstream?: string;
}

export function registerProxy(program: Command): void {
  program
    .command('proxy')
    .description(
      'Relay MCP JSON-RPC unchanged between a client and a server and report every tools/call, tools/list, resources/read and prompts/get as an audit event. stdio: `proxy --user alice -- <server command...>`; HTTP: `proxy --http --listen host:port --upstream URL`.',
    )
    .argument('[command...]', 'stdio mode: the MCP server command and its arguments, after --')
    .option('--user <id>', 'user on whose behalf the agent calls (default: MCP_AUDIT_USER)')
    .option('--tenant <id>', 'tenant (default: MCP_AUDIT_TENANT)')
    .option('--agent <id>', 'agent id (default: MCP_AUDIT_AGENT)')
    .option('--server-name <name>', 'server name until the server names itself in its initialize answer')
    .option('--http', 'Streamable HTTP mode instead of stdio')
    .option('--listen <host:port>', 'HTTP mode: address to listen on', '127.0.0.1:8931')
    .option('--upstream <url>', 'HTTP mode: URL of the upstream MCP endpoint')
    .action(async (command: string[], flags: ProxyFlags) => {
      const config = loadConfig();
      // stdout belongs to the JSON-RPC stream in stdio mode: every log line goes to stderr.
      const log = createLogger(config.logLevel, 'proxy', pino.destination(2));
      const identity = identityFrom(config, flags);
      const registry = createRegistry('proxy');
      const capture = createCapture(config, { kafka: createKafka(config.kafka, log), log, registry });
      const health =
        config.capture.proxyHealthPort >= 0
          ? await startHealthServer({ host: config.healthHost, port: config.capture.proxyHealthPort, registry, unhealthy: () => null })
          : null;
      const stopCapture = async () => {
        await capture.stop();
        await health?.close();
      };

      if (flags.http) {
        if (!flags.upstream) throw new ConfigError('proxy --http needs --upstream <url>');
        const m = /^(.+):(\d+)$/.exec(flags.listen);
        if (!m) throw new ConfigError(`--listen expects host:port, got ${flags.listen}`);
        if (!identity.userId && !config.capture.identityHeaders)
          throw new ConfigError('no user identity: pass --user, set MCP_AUDIT_USER, or enable MCP_AUDIT_PROXY_IDENTITY_HEADERS');
        let server: Awaited<ReturnType<typeof startHttpProxy>> | null = null;
        await runUntilSignal(
          {
            start: async () => {
              server = await startHttpProxy(
                {
                  host: m[1]!,
                  port: Number(m[2]),
                  upstream: new URL(flags.upstream!),
                  identity,
                  identityHeaders: config.capture.identityHeaders,
                  ...(flags.serverName ? { serverName: flags.serverName } : {}),
                },
                { capture, log },
              );
              log.info({ listen: `${m[1]}:${server.port}`, upstream: new URL(flags.upstream!).origin }, 'HTTP proxy listening');
            },
            stop: async () => {
              await server?.close();
              await stopCapture();
            },
          },
          log,
        );
        return;
      }

      const [cmd, ...args] = command;
      if (!cmd) throw new ConfigError('proxy needs the MCP server command after --, or --http');
      if (!identity.userId) throw new ConfigError('no user identity: pass --user or set MCP_AUDIT_USER');
      const proxy = startStdioProxy(
        {
          command: cmd,
          args,
          identity: { tenantId: identity.tenantId!, userId: identity.userId, ...(identity.agentId ? { agentId: identity.agentId } : {}) },
          ...(flags.serverName ? { serverName: flags.serverName } : {}),
        },
        { capture, log },
      );
      // The client ends the session by closing our stdin or signalling us; the child gets the signal
      // too, and we leave with its exit code once the last events are delivered (or spilled).
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => proxy.child.kill(signal));
      const code = await proxy.exited;
      await stopCapture();
      process.exit(code);
    });
}
