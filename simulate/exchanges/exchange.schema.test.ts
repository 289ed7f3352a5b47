import { describe, expect, it } from 'vitest';
import { exchangeSchema } from './exchange.schema.ts';

const tp = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`;
const good = {
  ts: '2026-11-24T09:15:00.250Z',
  tenant_id: 'acme',
  user_id: 'ann@acme.example',
  server: { name: 'gmail', transport: 'stdio' },
  request: { jsonrpc: '2.0', id: 'u001.d14.r01.2', method: 'tools/call', params: { name: 'send_email', arguments: { to: ['bo@x.example'] }, _meta: { traceparent: tp } } },
  response: { jsonrpc: '2.0', id: 'u001.d14.r01.2', result: { content: [{ type: 'text', text: 'sent' }] } },
  duration_ms: 120,
};

describe('exchangeSchema', () => {
  it('accepts a call, a JSON-RPC error and a missing response', () => {
    expect(exchangeSchema.safeParse(good).success).toBe(true);
    expect(exchangeSchema.safeParse({ ...good, response: { jsonrpc: '2.0', id: good.request.id, error: { code: -32603, message: 'Internal error' } } }).success).toBe(true);
    expect(exchangeSchema.safeParse({ ...good, response: null }).success).toBe(true);
  });
  it('rejects a call without a trace id, tool name or arguments, a response to another id, and unknown fields', () => {
    const params = good.request.params;
    expect(exchangeSchema.safeParse({ ...good, request: { ...good.request, params: { ...params, _meta: {} } } }).success).toBe(false);
    expect(exchangeSchema.safeParse({ ...good, request: { ...good.request, params: { arguments: {}, _meta: params._meta } } }).success).toBe(false);
    expect(exchangeSchema.safeParse({ ...good, request: { ...good.request, params: { name: 'x', _meta: params._meta } } }).success).toBe(false);
    expect(exchangeSchema.safeParse({ ...good, response: { ...good.response, id: 'other' } }).success).toBe(false);
    expect(exchangeSchema.safeParse({ ...good, extra: 1 }).success).toBe(false);
    expect(exchangeSchema.safeParse({ ...good, ts: '24/11/2026' }).success).toBe(false);
  });
});
