// The demo's SIEM: a Standard Webhooks receiver on a free loopback port. It checks every request's
// signature with the reference `standardwebhooks` package (independent of the notifier's signing
// code) under a secret generated for this run, drops re-deliveries by webhook-id, and hands each
// new alert to `onAlert`. Unsigned, badly signed or stale requests get 401 and are not shown.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { Logger } from '../core/logger.ts';
import { alertV1, type AlertV1 } from '../schemas/alert.v1.ts';

export interface WebhookReceiver {
  url: string;
  /** `whsec_...`, the notifier destination's signing secret. */
  secret: string;
  close(): Promise<void>;
}

/** Requests above this are refused: an alert is a few kilobytes. */
const MAX_BODY = 1_048_576;
/** Re-deliveries come within minutes; remembering this many ids is plenty for a demo. */
const SEEN_MAX = 10_000;

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startWebhookReceiver(onAlert: (alert: AlertV1) => void, log: Logger, path = '/alerts'): Promise<WebhookReceiver> {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const verifier = new Webhook(secret);
  const seen = new Set<string>();

  async function handle(req: IncomingMessage): Promise<number> {
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== path) return 404;
    const body = await readBody(req);
    if (body === null) return 413;
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v ?? '')]));
    let payload: unknown;
    try {
      payload = verifier.verify(body, headers);
    } catch (err) {
      if (!(err instanceof WebhookVerificationError)) throw err;
      log.warn({ reason: err.message }, 'demo receiver refused a request: signature not valid');
      return 401;
    }
    const parsed = alertV1.safeParse((payload as { data?: unknown }).data);
    if (!parsed.success) return 400;
    const id = headers['webhook-id']!;
    if (!seen.has(id)) {
      if (seen.size >= SEEN_MAX) seen.clear();
      seen.add(id);
      onAlert(parsed.data);
    }
    return 204;
  }

  const server: Server = createServer((req, res) => {
    handle(req).then(
      (status) => res.writeHead(status).end(),
      (err: unknown) => {
        log.error({ err }, 'demo receiver failed on a request');
        res.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    secret,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
