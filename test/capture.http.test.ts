// The Streamable HTTP proxy in front of a real SDK server over HTTP (answers as SSE streams and as
// plain JSON): a real SDK client gets the same answers as directly, identity comes from headers,
// and the audit events reach Kafka with the session id, user and tool of each call.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCapture, type Capture } from '../capture/capture.ts';
import { startHttpProxy, type HttpProxy } from '../capture/proxy.http.ts';
import { createKafka } from '../core/kafka.ts';
import { fingerprintOf } from '../capture/fingerprints.ts';
import { auditEventV2, type AuditEventV2 } from '../schemas/event.v2.ts';
import { readTopicRaw } from './capture.support.ts';
import { sessionfulV1, type Upstream } from './support/http.upstreams.ts';
import { createTestEnv, testLog, type TestEnv } from './support/test.env.ts';

let t: TestEnv;
let capture: Capture;

beforeAll(async () => {
  t = await createTestEnv('capture_http', { MCP_AUDIT_CAPTURE_SPILL_DIR: mkdtempSync(join(tmpdir(), 'mcpa-spill-')) });
  capture = createCapture(t.config, { kafka: createKafka(t.config.kafka, testLog), log: testLog });
});
afterAll(async () => {
  await capture?.stop();
  await t?.clickhouse.close();
});

/** A stateful Streamable HTTP MCP server at /mcp, one SDK server per session. */
function upstream(enableJsonResponse: boolean): Promise<Upstream> {
  return sessionfulV1(() => {
    const mcp = new McpServer({ name: 'crm', version: '3.0.0' });
    mcp.registerTool('lookup', { description: 'Looks up a customer.', inputSchema: { email: z.string() } }, async ({ email }) => ({
      content: [{ type: 'text', text: `customer ${email}: gold tier` }],
    }));
    return mcp;
  }, { enableJsonResponse });
}

async function session(url: URL, headers: Record<string, string> = {}) {
  const client = new Client({ name: 'http-client', version: '2.0.0' });
  const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers } });
  await client.connect(transport);
  const tools = await client.listTools();
  const result = await client.callTool({ name: 'lookup', arguments: { email: 'bob@corp.example' } });
  const sessionId = transport.sessionId;
  await client.close();
  return { tools, result, sessionId };
}

describe('HTTP proxy', () => {
  it.each([
    ['SSE', false],
    ['JSON', true],
  ] as const)('relays %s answers unchanged and audits them with header identity', async (_mode, json) => {
    const up = await upstream(json);
    const proxy: HttpProxy = await startHttpProxy(
      { host: '127.0.0.1', port: 0, upstream: up.url, identity: { tenantId: 'acme' }, identityHeaders: true },
      { capture, log: testLog },
    );
    try {
      const proxyUrl = new URL(`http://127.0.0.1:${proxy.port}/mcp`);
      const direct = await session(up.url);
      const proxied = await session(proxyUrl, { 'X-MCP-Audit-User': `carol-${_mode}`, 'X-MCP-Audit-Agent': 'web-agent' });
      expect(proxied.tools).toEqual(direct.tools);
      expect(proxied.result).toEqual(direct.result);

      // Without a user the proxy refuses to relay: an unaudited call must not pass.
      const anonymous = await fetch(proxyUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(anonymous.status).toBe(401);

      expect(await capture.buffer.drain(30_000)).toBe(true);
      const events = (await readTopicRaw(createKafka(t.config.kafka, testLog), t.config.topics.events))
        .map((m) => JSON.parse(m.value!.toString()) as AuditEventV2)
        .filter((e) => e.actor.user_id === `carol-${_mode}`);
      expect(events.map((e) => e.kind).sort()).toEqual(['tool_call', 'tool_list']);
      const call = events.find((e) => e.kind === 'tool_call')!;
      expect(call).toMatchObject({
        tenant_id: 'acme',
        mcp: { method: 'tools/call', session_id: proxied.sessionId },
        actor: { user_id: `carol-${_mode}`, agent_id: 'web-agent', client_name: 'http-client', source_address: expect.stringContaining('127.0.0.1') },
        server: { name: 'crm', version: '3.0.0', transport: 'http' },
        tool: { name: 'lookup' },
        resource: { recipients: ['bob@corp.example'] },
        result: { status: 'ok' },
      });
      expect(events.find((e) => e.kind === 'tool_list')!.tools!.map((x) => [x.name, x.input_keys])).toEqual([['lookup', ['email']]]);
      // v2: keyed under the configured key, the address fingerprinted in arguments and result alike, one episode.
      const key = capture.build.hashKey;
      const bob = fingerprintOf(key, 'email', 'bob@corp.example');
      for (const e of events) expect(auditEventV2.safeParse(e).success).toBe(true);
      expect(call).toMatchObject({ schema_version: 2, hash_key_id: key.id, arguments: { keys: ['email'] }, fingerprints: { destinations: [bob] } });
      expect(call.fingerprints!.result).toContain(bob);
      for (const e of events) expect(e.episode).toEqual({ id: call.episode!.id, basis: 'agent' });
    } finally {
      await proxy.close();
      up.close();
    }
  });
});
