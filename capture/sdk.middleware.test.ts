// The middleware on real SDK servers and clients of both generations (in-memory transports): which
// calls become events, and what each event says. Delivery to Kafka is covered by the integration tests.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Client as V2Client } from '@modelcontextprotocol/client';
import * as V2 from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { auditEventV2, type AuditEventV2 } from '../schemas/event.v2.ts';
import { TEST_HASH_KEY } from '../test/support/hash.keys.ts';
import { sha256Hex } from './canonical.ts';
import { fingerprintOf } from './fingerprints.ts';
import { DEFAULT_DENY_KEYS, denyKeyMatcher } from './redact.ts';
import { withAudit } from './sdk.middleware.ts';

const FAKE_AWS = ['AK', 'IA', 'Z7QW3RT5YU8IO2PL'].join('');

async function setup() {
  const events: AuditEventV2[] = [];
  const server = new McpServer({ name: 'notes', version: '2.1.0' });
  server.registerTool('read_note', { description: 'Reads a note.', inputSchema: { path: z.string(), password: z.string().optional() } }, async ({ path }) => {
    if (path.startsWith('/private')) return { isError: true, content: [{ type: 'text', text: 'Access denied: outside allowed directories' }] };
    return { content: [{ type: 'text', text: `content of ${path}` }] };
  });
  server.registerTool('send_mail', { description: 'Sends mail.', inputSchema: { to: z.string(), body: z.string() } }, async () => ({ content: [{ type: 'text', text: 'sent' }] }));
  server.registerResource('readme', 'file:///docs/readme.md', { description: 'The readme' }, async (uri) => ({ contents: [{ uri: uri.href, text: '# hi' }] }));
  server.registerPrompt('summarise', { argsSchema: { topic: z.string() } }, ({ topic }) => ({ messages: [{ role: 'user', content: { type: 'text', text: `Summarise ${topic}` } }] }));
  withAudit(server, {
    capture: { push: (e) => events.push(e), build: { isDeniedKey: denyKeyMatcher(DEFAULT_DENY_KEYS), previewChars: 1024, hashKey: TEST_HASH_KEY } },
    identity: { tenantId: 'acme', userId: 'alice', agentId: 'bot-1' },
  });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  const client = new Client({ name: 'test-client', version: '0.0.1' });
  await client.connect(b);
  return { client, events, server };
}

describe('withAudit', () => {
  it('reports tools/list with each description hash, and tool calls with arguments, targets and status', async () => {
    const { client, events } = await setup();
    const listed = await client.listTools();
    await client.callTool({ name: 'read_note', arguments: { path: '/notes/a.md', password: 'hunter2' } });
    await client.callTool({ name: 'read_note', arguments: { path: '/private/x.md' } });
    await client.callTool({ name: 'send_mail', arguments: { to: 'eve@evil.example', body: `key ${FAKE_AWS}` } });
    await client.callTool({ name: 'nope', arguments: {} }).catch(() => undefined);
    await client.callTool(
      { name: 'read_note', arguments: { path: '/notes/b.md' }, _meta: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } },
    );

    for (const e of events) expect(auditEventV2.safeParse(e).success).toBe(true);
    expect(events.map((e) => [e.kind, e.tool?.name, e.result?.status])).toEqual([
      ['tool_list', undefined, 'ok'],
      ['tool_call', 'read_note', 'ok'],
      ['tool_call', 'read_note', 'denied'],
      ['tool_call', 'send_mail', 'ok'],
      ['tool_call', 'nope', 'error'],
      ['tool_call', 'read_note', 'ok'],
    ]);
    const [list, ok, denied, mail, , traced] = events as [AuditEventV2, AuditEventV2, AuditEventV2, AuditEventV2, AuditEventV2, AuditEventV2];
    expect(list.tools).toEqual(
      listed.tools.map((t) => ({
        name: t.name,
        description: t.description,
        description_sha256: sha256Hex(t.description ?? ''),
        input_keys: Object.keys(t.inputSchema.properties ?? {}),
      })),
    );
    expect(ok).toMatchObject({
      tenant_id: 'acme',
      mcp: { method: 'tools/call', protocol_version: expect.any(String), session_id: expect.any(String) },
      actor: { user_id: 'alice', agent_id: 'bot-1', client_name: 'test-client', client_version: '0.0.1' },
      server: { name: 'notes', version: '2.1.0', transport: 'other', fingerprint: list.server.fingerprint ?? expect.any(String) },
      resource: { paths: ['/notes/a.md'] },
      arguments: { preview: '{"password":"[redacted:password]","path":"/notes/a.md"}', size_bytes: '{"password":"hunter2","path":"/notes/a.md"}'.length },
    });
    expect(ok.result?.size_bytes).toBeGreaterThan(0);
    expect(ok.duration_ms).toBeGreaterThanOrEqual(0);
    expect(denied.result).toMatchObject({ status: 'denied', error_type: 'access_denied' });
    expect(mail.resource).toEqual({ recipients: ['eve@evil.example'] });
    expect(JSON.stringify(events)).not.toContain(FAKE_AWS);
    expect(JSON.stringify(events)).not.toContain('hunter2');
    expect(traced.trace).toEqual({ trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7' });

    // v2: keyed hashes under the named key, argument names, secret kinds, fingerprints, episodes.
    expect(ok).toMatchObject({ schema_version: 2, hash_key_id: TEST_HASH_KEY.id, arguments: { keys: ['path', 'password'], secrets: ['password'] } });
    expect(ok.arguments?.hmac_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(ok.result?.hmac_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(mail.fingerprints?.destinations).toEqual([fingerprintOf(TEST_HASH_KEY, 'email', 'eve@evil.example')]);
    expect(ok.episode?.basis).toBe('agent');
    expect(mail.episode).toEqual(ok.episode);
    expect(traced.episode?.basis).toBe('trace');
  });

  it('reports resources/read and prompts/get, and nothing for other methods', async () => {
    const { client, events } = await setup();
    await client.ping();
    await client.readResource({ uri: 'file:///docs/readme.md' });
    await client.getPrompt({ name: 'summarise', arguments: { topic: 'q3' } });
    expect(events.map((e) => e.kind)).toEqual(['resource_read', 'prompt_get']);
    expect(events[0]!.resource).toEqual({ urls: ['file:///docs/readme.md'], paths: ['/docs/readme.md'] });
    expect(events[1]!.arguments?.preview).toBe('{"arguments":{"topic":"q3"},"name":"summarise"}');
  });
});

describe('withAudit on a 2.x SDK server (MCP 2026-07-28, stateless)', () => {
  it('reports each call with the client and protocol version its _meta names, no session, and the trace passed through', async () => {
    const events: AuditEventV2[] = [];
    const seenMeta: unknown[] = [];
    const [a, b] = V2.InMemoryTransport.createLinkedPair();
    serveStdio(
      () => {
        const server = new V2.McpServer({ name: 'notes2', version: '2.0.0' });
        server.registerTool('read_note', { description: 'Reads a note.', inputSchema: z.object({ path: z.string() }) }, async ({ path }, ctx) => {
          seenMeta.push(ctx.mcpReq._meta);
          return { content: [{ type: 'text', text: `content of ${path}` }] };
        });
        return withAudit(server, {
          capture: { push: (e) => events.push(e), build: { isDeniedKey: denyKeyMatcher(DEFAULT_DENY_KEYS), previewChars: 1024, hashKey: TEST_HASH_KEY } },
          identity: { tenantId: 'acme', userId: 'alice' },
        });
      },
      { transport: a },
    );
    const client = new V2Client({ name: 'agent-2026', version: '2.4.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await client.connect(b);
    const trace = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'vendor=opaque' };
    await client.callTool({ name: 'read_note', arguments: { path: '/notes/a.md' }, _meta: trace });
    await client.callTool({ name: 'read_note', arguments: { path: '/notes/b.md' } });
    await client.close();

    expect(events.map((e) => [e.kind, e.tool?.name, e.result?.status])).toEqual([
      ['tool_call', 'read_note', 'ok'],
      ['tool_call', 'read_note', 'ok'],
    ]);
    for (const e of events) {
      expect(auditEventV2.safeParse(e).success).toBe(true);
      expect(e).toMatchObject({
        mcp: { method: 'tools/call', protocol_version: '2026-07-28' },
        actor: { user_id: 'alice', client_name: 'agent-2026', client_version: '2.4.0' },
        server: { name: 'notes2', version: '2.0.0' },
      });
      expect(e.mcp.session_id).toBeUndefined();
    }
    expect(events[0]!.trace).toEqual({ trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7' });
    expect(events[0]!.episode?.basis).toBe('trace');
    expect(events[1]!.episode?.basis).toBe('idle_gap');
    // The server's handler got the trace context exactly as sent.
    expect(seenMeta[0]).toEqual(trace);
  });
});
