import { describe, expect, it } from 'vitest';
import { clientOf, serverOf } from './request.meta.ts';

// The per-request envelope exactly as the 2.x TypeScript SDK client writes it on a 2026-07-28 connection.
const envelope = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'cli2', version: '2.4.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
};

describe('request and result _meta', () => {
  it('reads the client and protocol version of a 2026-07-28 request', () => {
    expect(clientOf({ name: 'echo', arguments: {}, _meta: envelope })).toEqual({ name: 'cli2', version: '2.4.0', protocolVersion: '2026-07-28' });
    expect(clientOf({ _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' } })).toEqual({ protocolVersion: '2026-07-28' });
  });

  it('finds nothing in 2025-era requests and in malformed envelopes', () => {
    expect(clientOf(undefined)).toBeUndefined();
    expect(clientOf({ name: 'echo', arguments: {} })).toBeUndefined();
    expect(clientOf({ _meta: { progressToken: 1 } })).toBeUndefined();
    expect(clientOf({ _meta: [envelope] })).toBeUndefined();
    expect(clientOf({ _meta: { 'io.modelcontextprotocol/clientInfo': { name: 7, version: '' } } })).toBeUndefined();
  });

  it('reads the server a result is stamped with', () => {
    expect(serverOf({ content: [], _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'echo2', version: '2.0.0' } } })).toEqual({ name: 'echo2', version: '2.0.0' });
    expect(serverOf({ content: [] })).toBeUndefined();
    expect(serverOf('text')).toBeUndefined();
  });
});
