import { describe, expect, it } from 'vitest';
import type { InspectedBody } from './body.inspector.ts';
import { requestsOf } from './body.messages.ts';

const uninspected = (messages: InspectedBody['messages']): InspectedBody => ({ size_bytes: 20 << 20, hmac_sha256: 'a'.repeat(64), text: null, messages });

describe('requests of an HTTP body', () => {
  it('parses a body read whole, whatever the headers say', () => {
    const body: InspectedBody = { size_bytes: 10, hmac_sha256: 'a'.repeat(64), text: '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"a"}}', messages: [] };
    expect(requestsOf(body, { method: 'tools/call', name: 'b' }).message).toMatchObject({ params: { name: 'a' } });
  });

  it('names the one call of an oversize body from Mcp-Name when the scan did not see its name', () => {
    const out = requestsOf(uninspected([{ method: 'resources/read', id: 4 }]), { method: 'resources/read', name: 'file:///big.bin' });
    expect(out.message).toEqual([{ jsonrpc: '2.0', id: 4, method: 'resources/read', params: { uri: 'file:///big.bin' } }]);
    expect(out.uninspected).toEqual({ hmac_sha256: 'a'.repeat(64), size_bytes: 20 << 20 });
  });

  it('keeps the name the body gave, and ignores a header of another method', () => {
    expect(requestsOf(uninspected([{ method: 'tools/call', id: 1, name: 'body_name' }]), { method: 'tools/call', name: 'header_name' }).message).toEqual([
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'body_name' } },
    ]);
    expect(requestsOf(uninspected([{ method: 'tools/call', id: 1 }]), { method: 'prompts/get', name: 'p' }).message).toEqual([
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: {} },
    ]);
  });
});
