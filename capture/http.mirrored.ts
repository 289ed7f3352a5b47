// The MCP request headers of Streamable HTTP that mirror the body: `MCP-Protocol-Version` (2025-era
// sessions after `initialize`, and every 2026-07-28 request), and the 2026-07-28 `Mcp-Method` and
// `Mcp-Name` (the tool or prompt name, or the resource URI; a value that is not plain printable
// ASCII is sent as `=?base64?…?=`). The body stays the authority for what is audited, since it is
// what the server executes; the headers fill in what an uninspected (oversize) body did not show.
import type { IncomingHttpHeaders } from 'node:http';

export interface MirroredHeaders {
  protocolVersion?: string;
  method?: string;
  name?: string;
}

const BASE64_PREFIX = '=?base64?';
const BASE64_SUFFIX = '?=';
/** Longest header value kept: these name a method, a tool or a URI, never a payload. */
const MAX_VALUE = 1024;

function first(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  const s = (Array.isArray(v) ? v[0] : v)?.trim();
  return s && s.length <= MAX_VALUE ? s : undefined;
}

/** A `Mcp-Name` value as the client meant it: base64-wrapped values decoded (as UTF-8). */
export function decodeMcpName(value: string): string {
  if (!value.startsWith(BASE64_PREFIX) || !value.endsWith(BASE64_SUFFIX) || value.length < BASE64_PREFIX.length + BASE64_SUFFIX.length) return value;
  return Buffer.from(value.slice(BASE64_PREFIX.length, value.length - BASE64_SUFFIX.length), 'base64').toString('utf8');
}

export function mirroredHeaders(headers: IncomingHttpHeaders): MirroredHeaders {
  const protocolVersion = first(headers, 'mcp-protocol-version');
  const method = first(headers, 'mcp-method');
  const name = first(headers, 'mcp-name');
  return {
    ...(protocolVersion ? { protocolVersion } : {}),
    ...(method ? { method } : {}),
    ...(name ? { name: decodeMcpName(name) } : {}),
  };
}
