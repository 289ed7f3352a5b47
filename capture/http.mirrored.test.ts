import { describe, expect, it } from 'vitest';
import { decodeMcpName, mirroredHeaders } from './http.mirrored.ts';

describe('MCP headers mirrored from the body', () => {
  it('reads the protocol version, method and name of a 2026-07-28 request', () => {
    expect(mirroredHeaders({ 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'echo' })).toEqual({
      protocolVersion: '2026-07-28',
      method: 'tools/call',
      name: 'echo',
    });
    expect(mirroredHeaders({ 'mcp-protocol-version': '2025-06-18' })).toEqual({ protocolVersion: '2025-06-18' });
    expect(mirroredHeaders({ 'mcp-name': 'x'.repeat(5000) })).toEqual({});
  });

  it('decodes names sent as base64 (not plain printable ASCII)', () => {
    const wrapped = `=?base64?${Buffer.from(' lire le fichier ✓').toString('base64')}?=`;
    expect(decodeMcpName(wrapped)).toBe(' lire le fichier ✓');
    expect(mirroredHeaders({ 'mcp-name': wrapped }).name).toBe(' lire le fichier ✓');
    expect(decodeMcpName('read_file')).toBe('read_file');
    expect(decodeMcpName('=?base64?')).toBe('=?base64?');
  });
});
