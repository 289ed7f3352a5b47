// `mcp-audit proxy -- <command...>`: runs an MCP server as a child process and relays JSON-RPC
// between our stdin/stdout and the child's, byte for byte (streams are piped, never re-encoded),
// while a copy of each line is parsed and correlated into audit events. The child's stderr is ours.
// Both protocol generations pass: 2025-era sessions (`initialize` first) and stateless 2026-07-28
// traffic, whose requests name their client and protocol version in `params._meta`.
import { spawn, type ChildProcess } from 'node:child_process';
import { basename } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from '../core/logger.ts';
import type { AuditEventV2 } from '../schemas/event.v2.ts';
import type { BuildOptions, Identity } from './event.builder.ts';
import { startObserver } from './observer.thread.ts';

export interface StdioProxyOptions {
  command: string;
  args: string[];
  identity: Identity;
  /** Server name until the server names itself in its `initialize` answer; default: the command. */
  serverName?: string;
}

export interface StdioProxyDeps {
  capture: { push(event: AuditEventV2): void; build: BuildOptions };
  log: Logger;
  /** The client side; default our own stdin / stdout. */
  input?: Readable;
  output?: Writable;
}

export interface StdioProxy {
  child: ChildProcess;
  /** The child's exit code (128 + signal number when killed by a signal; 127 when it cannot start), once every event of the connection has been pushed. */
  exited: Promise<number>;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

export function startStdioProxy(opts: StdioProxyOptions, deps: StdioProxyDeps): StdioProxy {
  const input = deps.input ?? process.stdin;
  const output = deps.output ?? process.stdout;
  const child = spawn(opts.command, opts.args, { stdio: ['pipe', 'pipe', 'inherit'] });
  // Turning messages into events happens in a thread of its own (observer.thread.ts): the relay
  // only hands over copies of the bytes.
  const observer = startObserver(
    { session: { transport: 'stdio', fallbackServerName: opts.serverName ?? basename(opts.args[0] ?? opts.command) }, identity: opts.identity, build: deps.capture.build },
    { push: (e) => deps.capture.push(e), log: deps.log },
  );

  // pipe() relays the exact bytes with backpressure; the extra 'data' listeners, added after it,
  // only observe each chunk once it has been handed on.
  input.pipe(child.stdin!);
  input.on('data', (chunk: Buffer) => observer.fromClient(chunk));
  child.stdout!.pipe(output, { end: false });
  child.stdout!.on('data', (chunk: Buffer) => observer.fromServer(chunk));
  child.stdin!.on('error', (err) => deps.log.debug({ err }, 'child stdin closed'));

  const exited = new Promise<number>((resolve) => {
    child.once('error', (err) => {
      deps.log.error({ err, command: opts.command }, 'cannot start the MCP server');
      void observer.close().then(() => resolve(127));
    });
    child.once('close', (code, signal) => {
      void observer.close().then(() => resolve(code ?? 128 + (SIGNALS[signal ?? ''] ?? 0)));
    });
  });
  return { child, exited };
}
