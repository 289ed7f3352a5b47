// What MCP 2026-07-28 carries in `_meta` instead of an `initialize` handshake: every request names
// its protocol version and its client (`params._meta`), every result its server (`result._meta`).
// The key names are the spec's (the SDKs export them as PROTOCOL_VERSION_META_KEY,
// CLIENT_INFO_META_KEY and SERVER_INFO_META_KEY). 2025-era peers send none of these; capture then
// falls back to what their `initialize` exchange said.

export const PROTOCOL_VERSION_META_KEY = 'io.modelcontextprotocol/protocolVersion';
export const CLIENT_INFO_META_KEY = 'io.modelcontextprotocol/clientInfo';
export const SERVER_INFO_META_KEY = 'io.modelcontextprotocol/serverInfo';

/** A peer as a message names it: its software's name and version, and (for a client) the protocol version. */
export interface PeerInfo {
  name?: string;
  version?: string;
  protocolVersion?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

function implementation(info: unknown, protocolVersion?: unknown): PeerInfo | undefined {
  const out: PeerInfo = {};
  if (isObject(info)) {
    const name = str(info.name);
    const version = str(info.version);
    if (name) out.name = name;
    if (version) out.version = version;
  }
  const pv = str(protocolVersion);
  if (pv) out.protocolVersion = pv;
  return out.name || out.version || out.protocolVersion ? out : undefined;
}

/** The client and protocol version a request's `params._meta` names, if it names any. */
export function clientOf(params: Record<string, unknown> | undefined): PeerInfo | undefined {
  const meta = params?._meta;
  if (!isObject(meta)) return undefined;
  return implementation(meta[CLIENT_INFO_META_KEY], meta[PROTOCOL_VERSION_META_KEY]);
}

/** The server a result's `_meta` names (2026-07-28 servers stamp every result), if any. */
export function serverOf(result: unknown): PeerInfo | undefined {
  const meta = isObject(result) ? result._meta : undefined;
  return isObject(meta) ? implementation(meta[SERVER_INFO_META_KEY]) : undefined;
}
