// A small HTTP server each long-running service exposes: /healthz (liveness) and /metrics
// (Prometheus text format). It binds to MCP_AUDIT_HEALTH_HOST, loopback by default.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

export async function startHealthServer(opts: {
  host: string;
  port: number;
  registry: Registry;
  /** Returns a reason when the service is not healthy, or null when it is. */
  unhealthy: () => string | null;
}): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') {
      const reason = opts.unhealthy();
      res.writeHead(reason ? 503 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reason ? { status: 'unhealthy', reason } : { status: 'ok' }));
    } else if (req.method === 'GET' && path === '/metrics') {
      opts.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': opts.registry.contentType });
          res.end(text);
        },
        () => {
          res.writeHead(500).end();
        },
      );
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"status":"not found"}');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
