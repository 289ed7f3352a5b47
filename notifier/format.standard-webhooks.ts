// Generic JSON signed per the Standard Webhooks spec (standardwebhooks.com): the body is
// `{type, timestamp, data}`, and three headers let the receiver verify and de-duplicate it:
//   webhook-id         the alert id (deterministic, so a re-delivery carries the same id)
//   webhook-timestamp  seconds since the epoch at sending (receivers reject stale ones: anti-replay)
//   webhook-signature  `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per secret,
//                      space-separated, so a receiver holding either the old or the new secret
//                      verifies during a rotation.
import { createHmac } from 'node:crypto';
import type { AlertV1 } from '../schemas/alert.v1.ts';

export const STANDARD_WEBHOOK_TYPE = 'mcp_audit.alert';

export function standardWebhookBody(alert: AlertV1): string {
  return JSON.stringify({ type: STANDARD_WEBHOOK_TYPE, timestamp: alert.detected_at, data: alert });
}

export function standardWebhookSignature(id: string, timestampSec: number, body: string, secrets: readonly Buffer[]): string {
  return secrets
    .map((key) => `v1,${createHmac('sha256', key).update(`${id}.${timestampSec}.${body}`).digest('base64')}`)
    .join(' ');
}

/** The three headers for one request; the timestamp is taken anew for every attempt. */
export function standardWebhookHeaders(
  id: string,
  body: string,
  secrets: readonly Buffer[],
  now = Date.now(),
): Record<string, string> {
  const ts = Math.floor(now / 1000);
  const headers: Record<string, string> = { 'webhook-id': id, 'webhook-timestamp': String(ts) };
  if (secrets.length > 0) headers['webhook-signature'] = standardWebhookSignature(id, ts, body, secrets);
  return headers;
}
