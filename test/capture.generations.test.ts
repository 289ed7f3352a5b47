// Capture across both MCP generations, with real SDK clients and servers crossed: the 2.x SDK
// (npm @modelcontextprotocol/client and /server, stateless 2026-07-28 when both ends speak it) and
// the 1.x SDK (@modelcontextprotocol/sdk, 2025-era sessions), through each capture path: the stdio
// proxy (the real CLI), the Streamable HTTP proxy and the SDK middleware. Every call is exactly one
// event in Kafka, naming the client, protocol version and session (or none) the call really had,
// and the trace context in `_meta` reaches the server unchanged and is recorded.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client as ClientV2, StreamableHTTPClientTransport as HttpClientV2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as StdioClientV2 } from '@modelcontextprotocol/client/stdio';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as StdioClientV1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as HttpClientV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCapture, type Capture } from '../capture/capture.ts';
import { startHttpProxy } from '../capture/proxy.http.ts';
import { withAudit } from '../capture/sdk.middleware.ts';
import { createKafka } from '../core/kafka.ts';
import { auditEventV2, type AuditEventV2 } from '../schemas/event.v2.ts';
import { BIN, eventsOfUser } from './capture.support.ts';
import { ECHO_V1, ECHO_V2, echoServerV1, echoServerV2 } from './support/echo.servers.ts';
import { sessionfulV1, statelessV2 } from './support/http.upstreams.ts';
import { createTestEnv, eventually, testLog, type TestEnv } from './support/test.env.ts';

type Gen = 'v1' | 'v2';
const GENERATIONS: [Gen, Gen][] = [
  ['v2', 'v2'],
  ['v1', 'v2'],
  ['v2', 'v1'],
  ['v1', 'v1'],
];
const CLIENTS = { v1: { name: 'agent-2025', version: '1.9.0' }, v2: { name: 'agent-2026', version: '2.4.1' } };
const SERVERS = { v1: ECHO_V1, v2: ECHO_V2 };
const SCRIPTS = { v1: 'echo.v1.stdio.ts', v2: 'echo.v2.stdio.ts' };
const TRACE = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'vendor=opaque,other=x' };

/** What both generations' clients have in common, as the tests use it. */
interface AnyClient {
  connect(transport: never): Promise<void>;
  listTools(): Promise<unknown>;
  callTool(params: { name: string; arguments: Record<string, unknown>; _meta?: Record<string, unknown> }): Promise<unknown>;
  close(): Promise<void>;
}

let t: TestEnv;
let capture: Capture;
let spillDir: string;

beforeAll(async () => {
  spillDir = mkdtempSync(join(tmpdir(), 'mcpa-spill-'));
  t = await createTestEnv('capture_generations', { MCP_AUDIT_CAPTURE_SPILL_DIR: spillDir });
  capture = createCapture(t.config, { kafka: createKafka(t.config.kafka, testLog), log: testLog });
});
afterAll(async () => {
  await capture?.stop();
  await t?.clickhouse.close();
});

/** A client of `gen`; a 2.x client offers 2026-07-28 and falls back to `initialize` for older servers. */
function clientOf(gen: Gen): AnyClient {
  return (gen === 'v1' ? new ClientV1(CLIENTS.v1) : new ClientV2(CLIENTS.v2, { versionNegotiation: { mode: 'auto' } })) as unknown as AnyClient;
}

/** The calls of one run: list, two echoes (one with trace context), one failing call. Returns the echoed trace context. */
async function drive(client: AnyClient): Promise<unknown> {
  await client.listTools();
  await client.callTool({ name: 'echo', arguments: { text: 'plain ✓' } });
  const traced = (await client.callTool({ name: 'echo', arguments: { text: 'traced' }, _meta: TRACE })) as { content: { text: string }[] };
  await client.callTool({ name: 'fail', arguments: { id: 'r-1' } });
  await client.close();
  const { traceparent, tracestate } = JSON.parse(traced.content[0]!.text) as Record<string, unknown>;
  return { traceparent, tracestate };
}

const eventsOf = (user: string) => eventsOfUser(createKafka(t.config.kafka, testLog), t.config.topics.events, user);

/**
 * One event per call, saying who called: a 2.x client and server speak 2026-07-28 (client and
 * version from `_meta`, no session); any 1.x end means a 2025-era session (`session` says whether
 * the server keeps one with an id).
 */
function expectRun(events: AuditEventV2[], run: { client: Gen; server: Gen; session: boolean }): void {
  const modern = run.client === 'v2' && run.server === 'v2';
  expect(events.map((e) => [e.kind, e.tool?.name, e.result?.status])).toEqual([
    ['tool_list', undefined, 'ok'],
    ['tool_call', 'echo', 'ok'],
    ['tool_call', 'echo', 'ok'],
    ['tool_call', 'fail', 'error'],
  ]);
  expect(new Set(events.map((e) => JSON.stringify(e.mcp.request_id))).size).toBe(4);
  for (const e of events) {
    expect(auditEventV2.safeParse(e).success).toBe(true);
    expect(e.actor).toMatchObject({ client_name: CLIENTS[run.client].name, client_version: CLIENTS[run.client].version });
    expect(e.server).toMatchObject({ name: SERVERS[run.server].name, version: SERVERS[run.server].version });
    if (modern) expect(e.mcp.protocol_version).toBe('2026-07-28');
    else expect(e.mcp.protocol_version).toMatch(/^202[45]-\d\d-\d\d$/);
    if (modern || !run.session) expect(e.mcp.session_id).toBeUndefined();
    else expect(e.mcp.session_id).toBe(events[0]!.mcp.session_id);
  }
  if (!modern && run.session) expect(events[0]!.mcp.session_id).toEqual(expect.any(String));
  const traced = events[2]!;
  expect(traced.trace).toEqual({ trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7' });
  expect(traced.episode?.basis).toBe('trace');
  expect(events[1]!.episode?.basis).toBe(modern || !run.session ? 'idle_gap' : 'session');
}

describe.each(GENERATIONS)('%s client, %s server', (client, server) => {
  const run = `${client}-${server}`;

  it('through the stdio proxy', async () => {
    const user = `stdio-${run}`;
    const params = {
      command: process.execPath,
      args: [BIN, 'proxy', '--user', user, '--', process.execPath, fileURLToPath(new URL(`./support/${SCRIPTS[server]}`, import.meta.url))],
      env: { ...(process.env as Record<string, string>), ...t.env },
      stderr: 'ignore' as const,
    };
    const transport = client === 'v1' ? new StdioClientV1(params) : new StdioClientV2(params);
    const c = clientOf(client);
    await c.connect(transport as never);
    const pid = transport.pid!;
    expect(await drive(c)).toEqual(TRACE);
    // The proxy delivers its events as it exits, after the client has closed it.
    const gone = async () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    };
    expect(await eventually(gone, 30_000, 100)).toBe(true);
    expectRun(await eventsOf(user), { client, server, session: true });
  });

  it('through the Streamable HTTP proxy', async () => {
    const user = `http-${run}`;
    const upstream = server === 'v1' ? await sessionfulV1(echoServerV1) : await statelessV2(echoServerV2);
    const proxy = await startHttpProxy({ host: '127.0.0.1', port: 0, upstream: upstream.url, identity: { tenantId: 'acme', userId: user }, identityHeaders: false }, { capture, log: testLog });
    try {
      const url = new URL(`http://127.0.0.1:${proxy.port}/mcp`);
      const c = clientOf(client);
      await c.connect((client === 'v1' ? new HttpClientV1(url) : new HttpClientV2(url)) as never);
      expect(await drive(c)).toEqual(TRACE);
      expect(await capture.buffer.drain(30_000)).toBe(true);
      // The 2.x server answers 2025-era requests statelessly: no session id to record.
      expectRun(await eventsOf(user), { client, server, session: server === 'v1' });
    } finally {
      await proxy.close();
      upstream.close();
    }
  });

  it('through the SDK middleware', async () => {
    const user = `sdk-${run}`;
    const audit = { capture, identity: { tenantId: 'acme', userId: user } };
    const [serverSide, clientSide] = InMemoryTransport.createLinkedPair();
    if (server === 'v1') await withAudit(echoServerV1(), audit).connect(serverSide as never);
    // The 2.x stdio entry decides the era per connection; here over an in-memory pair.
    else serveStdio(() => withAudit(echoServerV2(), audit), { transport: serverSide });
    const c = clientOf(client);
    await c.connect(clientSide as never);
    expect(await drive(c)).toEqual(TRACE);
    expect(await capture.buffer.drain(30_000)).toBe(true);
    expectRun(await eventsOf(user), { client, server, session: true });
  });
});
