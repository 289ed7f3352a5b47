import { describe, expect, it } from 'vitest';
import type { AuditEventV2 } from '../schemas/event.v2.ts';
import { TEST_HASH_KEY } from '../test/support/hash.keys.ts';
import { CallTracker } from './call.tracker.ts';
import { denyKeyMatcher } from './redact.ts';

function tracker() {
  const events: AuditEventV2[] = [];
  const errors: unknown[] = [];
  const t = new CallTracker({
    session: { transport: 'stdio', fallbackServerName: 'srv' },
    identity: { tenantId: 't', userId: 'u' },
    build: { isDeniedKey: denyKeyMatcher([]), previewChars: 100, hashKey: TEST_HASH_KEY },
    emit: (e) => events.push(e),
    onError: (e) => errors.push(e),
    newSessionId: () => 'stdio-session-1',
  });
  return { t, events, errors };
}
const call = (id: unknown, name: string) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: {} } });
const ok = (id: unknown) => ({ jsonrpc: '2.0', id, result: { content: [] } });

describe('CallTracker', () => {
  it('correlates batches by id, in any answer order, keeping string and number ids apart', () => {
    const { t, events } = tracker();
    t.fromClient([call(1, 'a'), call('1', 'b'), { jsonrpc: '2.0', method: 'notifications/progress', params: {} }, call(2, 'c')]);
    t.fromServer([ok('1'), { jsonrpc: '2.0', id: 2, error: { code: -32602, message: 'bad' } }]);
    t.fromServer(ok(1));
    expect(events.map((e) => [e.tool?.name, e.mcp.request_id, e.result?.status, e.result?.error_type])).toEqual([
      ['b', '1', 'ok', undefined],
      ['c', 2, 'error', 'invalid_params'],
      ['a', 1, 'ok', undefined],
    ]);
  });

  it('ignores server requests, client answers to them, unknown ids and garbage', () => {
    const { t, events, errors } = tracker();
    t.fromServer({ jsonrpc: '2.0', id: 9, method: 'sampling/createMessage', params: {} });
    t.fromClient({ jsonrpc: '2.0', id: 9, result: {} });
    t.fromServer(ok(42));
    t.fromClient(null);
    t.fromClient('not json-rpc');
    t.fromServer([1, 2, 3]);
    expect(events).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('reports cancelled calls and calls never answered', () => {
    const { t, events } = tracker();
    t.fromClient([call(1, 'slow'), call(2, 'lost')]);
    t.fromClient({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } });
    t.fromServer(ok(1)); // too late: already reported
    t.close();
    expect(events.map((e) => [e.tool?.name, e.result?.error_type])).toEqual([
      ['slow', 'cancelled'],
      ['lost', 'no_response'],
    ]);
  });

  it('learns client and server from initialize', () => {
    const { t, events } = tracker();
    t.fromClient({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', clientInfo: { name: 'cli', version: '9' } } });
    t.fromServer({ jsonrpc: '2.0', id: 0, result: { protocolVersion: '2025-03-26', serverInfo: { name: 'fs', version: '1.2' } } });
    t.fromClient(call(1, 'x'));
    t.fromServer(ok(1));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      mcp: { protocol_version: '2025-03-26', session_id: 'stdio-session-1' },
      actor: { client_name: 'cli', client_version: '9' },
      server: { name: 'fs', version: '1.2' },
    });
  });

  it('takes client and protocol version from each stateless request, and the server from each result', () => {
    const { t, events } = tracker();
    const envelope = (name: string, version: string) => ({
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientInfo': { name, version },
      'io.modelcontextprotocol/clientCapabilities': {},
    });
    const stamped = { 'io.modelcontextprotocol/serverInfo': { name: 'echo2', version: '2.0.0' } };
    t.fromClient({ jsonrpc: '2.0', id: 'server-discover-probe-1', method: 'server/discover', params: { _meta: envelope('a', '1') } });
    t.fromServer({ jsonrpc: '2.0', id: 'server-discover-probe-1', result: { supportedVersions: ['2026-07-28'], capabilities: {}, _meta: stamped } });
    t.fromClient({ jsonrpc: '2.0', id: 0, method: 'tools/call', params: { name: 'x', arguments: {}, _meta: envelope('a', '1') } });
    t.fromClient({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'y', arguments: {}, _meta: envelope('b', '2') } });
    t.fromServer({ jsonrpc: '2.0', id: 1, result: { content: [], _meta: stamped } });
    t.fromServer({ jsonrpc: '2.0', id: 0, error: { code: -32602, message: 'bad' } });
    expect(events.map((e) => [e.tool?.name, e.actor.client_name, e.actor.client_version, e.mcp.protocol_version, e.server.name, e.server.version])).toEqual([
      ['y', 'b', '2', '2026-07-28', 'echo2', '2.0.0'],
      // An error carries no server stamp: the server its earlier answers named.
      ['x', 'a', '1', '2026-07-28', 'echo2', '2.0.0'],
    ]);
    // No session: no `initialize`, so none is invented; the episode comes from client identity and time.
    for (const e of events) expect(e.mcp.session_id).toBeUndefined();
    expect(events.map((e) => e.episode?.basis)).toEqual(['idle_gap', 'idle_gap']);
    expect(events[0]!.episode?.id).not.toBe(events[1]!.episode?.id);
  });

  it('uses the protocol version the transport names when the request does not', () => {
    const { t, events } = tracker();
    t.fromClient(call(1, 'x'), { protocolVersion: '2025-06-18' });
    t.fromServer(ok(1));
    expect(events[0]!.mcp.protocol_version).toBe('2025-06-18');
  });
});

describe('CallTracker with hostile shapes', () => {
  function deep(levels: number): unknown {
    let v: unknown = 'x';
    for (let i = 0; i < levels; i++) v = { a: v };
    return v;
  }

  it('yields the event of a read_file of id_rsa whose other argument is nested 5,000 levels deep', () => {
    const { t, events } = tracker();
    t.fromClient({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'read_file', arguments: { path: '~/.ssh/id_rsa', pad: deep(5_000) } } });
    t.fromServer({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'k' }], deep: deep(5_000) } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ tool: { name: 'read_file' }, resource: { paths: ['~/.ssh/id_rsa'] }, result: { status: 'ok' } });
    // Keyed hashes over what the bounded canonical writer kept, and flagged as cut.
    expect(events[0]!.arguments).toMatchObject({ hmac_sha256: expect.stringMatching(/^[0-9a-f]{64}$/), truncated: true });
    expect(events[0]!.result).toMatchObject({ hmac_sha256: expect.stringMatching(/^[0-9a-f]{64}$/), truncated: true });
  });

  it('still yields the event when arguments cannot be inspected at all', () => {
    const { t, events, errors } = tracker();
    const hostile = new Proxy({}, { ownKeys: () => { throw new Error('hostile'); } });
    t.fromClient({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'exec', arguments: hostile } });
    t.fromServer({ jsonrpc: '2.0', id: 1, result: { content: [] } });
    expect(events.map((e) => [e.tool?.name, e.result?.status])).toEqual([['exec', 'ok']]);
    expect(errors).toHaveLength(1);
  });
});
