// Transparency: the same JSON-RPC requests sent to a real MCP server directly and through the
// proxy get byte-identical responses (raw stdout lines or HTTP bodies compared, not parsed): raw
// 2025-era requests to the filesystem server through `mcp-audit proxy`, and stateless 2026-07-28
// traffic from the 2.x SDK client to a 2.x server through the stdio and the Streamable HTTP proxy.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client as ClientV2, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCapture } from '../capture/capture.ts';
import { startHttpProxy } from '../capture/proxy.http.ts';
import { createKafka } from '../core/kafka.ts';
import type { AuditEventV2 } from '../schemas/event.v2.ts';
import { BIN, FS_SERVER, eventsOfUser } from './capture.support.ts';
import { echoServerV2 } from './support/echo.servers.ts';
import { statelessV2 } from './support/http.upstreams.ts';
import { RecordingStdioTransport, recordingFetch } from './support/recording.transports.ts';
import { createTestEnv, testLog, type TestEnv } from './support/test.env.ts';

let t: TestEnv;
let root: string;

beforeAll(async () => {
  t = await createTestEnv('capture_transparency');
  root = mkdtempSync(join(tmpdir(), 'mcpa-fs-'));
  mkdirSync(join(root, 'docs'));
  writeFileSync(join(root, 'docs', 'readme.md'), '# Ünïcode ✓ and "quotes" \\ and\ttabs\n');
  writeFileSync(join(root, 'docs', 'b.txt'), 'b\n');
});
afterAll(async () => {
  await t?.clickhouse.close();
});

/** The requests, one JSON text per line, exactly as a client would write them. */
function requests(): string[] {
  const call = (id: number, name: string, args: object) => JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });
  return [
    JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
    JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    JSON.stringify({ jsonrpc: '2.0', id: 'list-1', method: 'tools/list' }),
    call(2, 'read_text_file', { path: join(root, 'docs', 'readme.md') }),
    call(3, 'list_directory', { path: join(root, 'docs') }),
    call(4, 'read_text_file', { path: '/etc/hostname' }),
    call(5, 'read_text_file', { path: join(root, 'nope.md') }),
    JSON.stringify({ jsonrpc: '2.0', id: 6, method: 'no/such/method' }),
    JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'ping' }),
    // Pretty-printed whitespace in a request stays the client's business: it reaches the server as sent.
    `{"jsonrpc": "2.0", "id": 8,   "method": "tools/call", "params": {"name": "read_text_file", "arguments": {"path": ${JSON.stringify(join(root, 'docs', 'b.txt'))}}}}`,
  ];
}

/** Sends each request, waits for its answer (when it has an id), returns every stdout line. */
async function exchange(command: string, args: string[]): Promise<string[]> {
  const child = spawn(command, args, { env: { ...process.env, ...t.env, MCP_AUDIT_CAPTURE_SPILL_DIR: mkdtempSync(join(tmpdir(), 'mcpa-spill-')) }, stdio: ['pipe', 'pipe', 'ignore'] });
  const lines: string[] = [];
  let buffered = '';
  let waiter: (() => void) | null = null;
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      lines.push(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
    }
    waiter?.();
  });
  for (const req of requests()) {
    const id = (JSON.parse(req) as { id?: unknown }).id;
    const before = lines.length;
    child.stdin.write(`${req}\n`);
    if (id === undefined) continue;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${req}`)), 30_000);
      waiter = () => {
        if (lines.slice(before).some((l) => (JSON.parse(l) as { id?: unknown }).id === id)) {
          clearTimeout(timer);
          resolve();
        }
      };
      waiter();
    });
  }
  child.stdin.end();
  await new Promise((r) => child.once('close', r));
  return lines;
}

describe('proxy transparency', () => {
  it('relays byte-identical responses', async () => {
    const direct = await exchange(process.execPath, [FS_SERVER, root]);
    const proxied = await exchange(process.execPath, [BIN, 'proxy', '--user', 'alice', '--', process.execPath, FS_SERVER, root]);
    expect(direct.length).toBe(requests().length - 1);
    expect(proxied).toEqual(direct);
    expect(Buffer.from(proxied.join('\n'))).toEqual(Buffer.from(direct.join('\n')));
    // ...and the proxy did audit them: tools/list and the five tool calls.
    const events = (await eventsOf('alice')).map((e) => e.mcp.request_id);
    expect(events.sort()).toEqual([2, 3, 4, 5, 8, 'list-1']);
  });
});

const eventsOf = (user: string) => eventsOfUser(createKafka(t.config.kafka, testLog), t.config.topics.events, user);

const V2_STDIO = fileURLToPath(new URL('./support/echo.v2.stdio.ts', import.meta.url));
const TRACE = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'congo=t61rcWkgMzE' };

/** A 2.x SDK client on 2026-07-28: a list, calls with unicode, trace context, a tool error and an unknown tool. */
async function statelessCalls(transport: unknown): Promise<void> {
  const client = new ClientV2({ name: 'agent-2026', version: '2.4.1' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(transport as never);
  await client.listTools();
  await client.callTool({ name: 'echo', arguments: { text: 'Ünïcode ✓ "quotes" \\ and\ttabs' } });
  await client.callTool({ name: 'echo', arguments: { text: 'traced' }, _meta: TRACE });
  await client.callTool({ name: 'fail', arguments: { id: 'r-1' } });
  await client.callTool({ name: 'no_such_tool', arguments: {} }).catch(() => undefined);
  await client.close();
}

/** One event per call, each naming the client and protocol version from the request's `_meta`, and no session. */
function expectStatelessEvents(events: AuditEventV2[]): void {
  expect(events.map((e) => [e.kind, e.tool?.name, e.result?.status])).toEqual([
    ['tool_list', undefined, 'ok'],
    ['tool_call', 'echo', 'ok'],
    ['tool_call', 'echo', 'ok'],
    ['tool_call', 'fail', 'error'],
    ['tool_call', 'no_such_tool', 'error'],
  ]);
  for (const e of events) {
    expect(e).toMatchObject({ mcp: { protocol_version: '2026-07-28' }, actor: { client_name: 'agent-2026', client_version: '2.4.1' }, server: { name: 'echo-v2' } });
    expect(e.mcp.session_id).toBeUndefined();
  }
  expect(events[2]!.trace).toEqual({ trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331' });
}

describe('proxy transparency for stateless MCP 2026-07-28 from the 2.x SDK', () => {
  it('stdio: relays byte-identical answers', async () => {
    const env = () => ({ ...(process.env as Record<string, string>), ...t.env, MCP_AUDIT_CAPTURE_SPILL_DIR: mkdtempSync(join(tmpdir(), 'mcpa-spill-')) });
    const direct = new RecordingStdioTransport(process.execPath, [V2_STDIO], env());
    await statelessCalls(direct);
    const proxied = new RecordingStdioTransport(process.execPath, [BIN, 'proxy', '--user', 'bob', '--', process.execPath, V2_STDIO], env());
    await statelessCalls(proxied);
    expect(direct.lines.length).toBe(6); // the discovery probe and five calls
    expect(proxied.lines).toEqual(direct.lines);
    expect(Buffer.from(proxied.lines.join('\n'))).toEqual(Buffer.from(direct.lines.join('\n')));
    // The trace context reached the server as sent.
    expect(direct.lines.find((l) => l.includes('traced'))).toContain(JSON.stringify(JSON.stringify({ text: 'traced', ...TRACE })).slice(1, -1));
    expectStatelessEvents(await eventsOf('bob'));
  });

  it('Streamable HTTP: relays byte-identical answers', async () => {
    const upstream = await statelessV2(echoServerV2);
    const config = { ...t.config, capture: { ...t.config.capture, spillDir: mkdtempSync(join(tmpdir(), 'mcpa-spill-')) } };
    const capture = createCapture(config, { kafka: createKafka(t.config.kafka, testLog), log: testLog });
    const proxy = await startHttpProxy({ host: '127.0.0.1', port: 0, upstream: upstream.url, identity: { tenantId: 'acme', userId: 'carol' }, identityHeaders: false }, { capture, log: testLog });
    try {
      const direct = recordingFetch();
      await statelessCalls(new StreamableHTTPClientTransport(upstream.url, { fetch: direct.fetch }));
      const proxied = recordingFetch();
      await statelessCalls(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${proxy.port}/mcp`), { fetch: proxied.fetch }));
      expect(direct.answers.length).toBe(6);
      expect(proxied.answers).toEqual(direct.answers);
      expect(await capture.buffer.drain(30_000)).toBe(true);
      expectStatelessEvents(await eventsOf('carol'));
    } finally {
      await proxy.close();
      upstream.close();
      await capture.stop();
    }
  });
});
