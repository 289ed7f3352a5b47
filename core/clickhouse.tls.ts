// TLS to ClickHouse (an https:// URL) with a private CA and an optional client certificate.
//
// @clickhouse/client's own `tls` option would do the same handshake, but it also changes how the user
// signs in: with a client certificate it sends `X-ClickHouse-SSL-Certificate-Auth: on`, which makes a
// current ClickHouse authenticate the user by the certificate's name instead of its password (a
// password user is then refused). Our users sign in with passwords, and the certificate only proves
// the machine to a server with `verificationMode` strict; so the client gets an https.Agent that
// carries the certificates, and keeps its usual Basic authentication.
import { Agent } from 'node:https';
import { readTlsFile } from './tls.files.ts';

/** File paths are absolute (config resolves them); '' means not set. */
export interface ClickHouseTls {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/**
 * The agent for an https URL with certificate files; undefined when the client's default (Node's CA
 * list, no client certificate, or plain http) is what the settings ask for. Reads the files now, so a
 * bad path fails at start.
 */
export function clickhouseTlsAgent(url: string, tls: ClickHouseTls | undefined, maxSockets: number): Agent | undefined {
  if (!url.startsWith('https:') || !tls || (!tls.caFile && !tls.certFile)) return undefined;
  return new Agent({
    keepAlive: true,
    maxSockets,
    // A custom CA replaces Node's list, as `ca` does everywhere in Node; without one, Node's list.
    ...(tls.caFile ? { ca: readTlsFile(tls.caFile, 'MCP_AUDIT_CLICKHOUSE_TLS_CA_FILE') } : {}),
    ...(tls.certFile
      ? { cert: readTlsFile(tls.certFile, 'MCP_AUDIT_CLICKHOUSE_TLS_CERT_FILE'), key: readTlsFile(tls.keyFile, 'MCP_AUDIT_CLICKHOUSE_TLS_KEY_FILE') }
      : {}),
  });
}
