import { describe, expect, it } from 'vitest';
import { TEST_HASH_KEY } from '../test/support/hash.keys.ts';
import { ExchangeImporter } from './exchange.import.ts';
import { DEFAULT_DENY_KEYS, denyKeyMatcher } from './redact.ts';

const build = { isDeniedKey: denyKeyMatcher(DEFAULT_DENY_KEYS), previewChars: 1024, hashKey: TEST_HASH_KEY };

const line = (server: string, request: object, response: object | null, extra: object = {}) =>
  JSON.stringify({ ts: '2026-11-02T09:15:00.250+01:00', tenant_id: 'acme', user_id: 'alice', server: { name: server, transport: 'stdio' }, request, response, ...extra });
const list = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/list' });
const listed = (id: number) => ({ jsonrpc: '2.0', id, result: { tools: [{ name: 'send_email', description: 'Send a mail', inputSchema: { type: 'object' } }] } });
const call = (id: number, name = 'send_email') => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: { to: 'bob@example.com' } } });

describe('ExchangeImporter', () => {
  it('fingerprints the later calls of the listed server only, at the recorded time', () => {
    const imp = new ExchangeImporter(build);
    imp.importLine(line('mail', list(1), listed(1)), 1);
    const [mailCall] = imp.importLine(line('mail', call(2), { jsonrpc: '2.0', id: 2, result: { content: [] } }), 2);
    const [otherCall] = imp.importLine(line('calendar', call(3, 'create_event'), { jsonrpc: '2.0', id: 3, result: { content: [] } }), 3);
    expect(mailCall!.server.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(otherCall!.server.fingerprint).toBeUndefined();
    expect(mailCall!.ts).toBe('2026-11-02T08:15:00.250Z');
  });

  it('records a missing response as no_response, an error as its JSON-RPC error, an isError result as a tool error', () => {
    const imp = new ExchangeImporter(build);
    const [none] = imp.importLine(line('mail', call(1), null), 1);
    const [rpc] = imp.importLine(line('mail', call(2), { jsonrpc: '2.0', id: 2, error: { code: -32602, message: 'bad' } }), 2);
    const [tool] = imp.importLine(line('mail', call(3), { jsonrpc: '2.0', id: 3, result: { isError: true, content: [{ type: 'text', text: 'no such mailbox' }] } }), 3);
    expect(none!.result).toEqual({ status: 'error', error_type: 'no_response' });
    expect(rpc!.result).toEqual({ status: 'error', error_type: 'invalid_params' });
    expect(tool!.result?.status).toBe('error');
    expect(tool!.result?.error_type).toBe('tool_error');
  });

  it('pairs a batch by id, learns the client from initialize, and counts what it does not audit', () => {
    const imp = new ExchangeImporter(build);
    imp.importLine(
      line('mail', { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', clientInfo: { name: 'desk', version: '3' } } }, {
        jsonrpc: '2.0',
        id: 0,
        result: { protocolVersion: '2025-06-18', serverInfo: { name: 'gmail-mcp', version: '1.2' } },
      }),
      1,
    );
    const events = imp.importLine(
      line('mail', [call(5), { jsonrpc: '2.0', method: 'notifications/progress' }, call(6)], [
        { jsonrpc: '2.0', id: 6, result: { content: [] } },
        { jsonrpc: '2.0', id: 5, error: { code: -32603, message: 'boom' } },
      ]),
      2,
    );
    expect(events.map((e) => [e.mcp.request_id, e.result?.status])).toEqual([
      [5, 'error'],
      [6, 'ok'],
    ]);
    expect(events[0]!.actor.client_name).toBe('desk');
    expect(events[0]!.server).toMatchObject({ name: 'gmail-mcp', version: '1.2' });
    expect(events[0]!.mcp.protocol_version).toBe('2025-06-18');
    expect(imp.summary).toMatchObject({ lines: 2, events: 2, notAudited: 2, bad: [] });
  });

  it('skips bad lines with their number and the reason', () => {
    const imp = new ExchangeImporter(build);
    expect(imp.importLine('{"ts":', 1)).toEqual([]);
    expect(imp.importLine('', 2)).toEqual([]);
    expect(imp.importLine(line('mail', { jsonrpc: '2.0', id: 1 }, null), 3)).toEqual([]);
    expect(imp.importLine(JSON.stringify({ ...JSON.parse(line('mail', call(1), null)), ts: 'yesterday' }), 4)).toEqual([]);
    expect(imp.importLine(line('mail', call(1), { jsonrpc: '2.0', id: 1 }), 5)).toEqual([]);
    expect(imp.summary.bad.map((b) => b.line)).toEqual([1, 3, 4, 5]);
    expect(imp.summary.bad[0]!.reason).toMatch(/not JSON/);
    expect(imp.summary.bad[1]!.reason).toMatch(/request/);
    expect(imp.summary.bad[2]!.reason).toMatch(/ts/);
    expect(imp.summary.bad[3]!.reason).toMatch(/result or error/);
    expect(imp.summary.lines).toBe(4);
  });
});
