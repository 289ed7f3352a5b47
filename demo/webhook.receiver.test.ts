// The demo receiver shows an alert only when the notifier's signature verifies under the secret it
// generated, and shows a re-delivery (same webhook-id) once.
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../core/logger.ts';
import { parseSigningSecrets } from '../notifier/destinations.config.ts';
import { standardWebhookBody, standardWebhookHeaders } from '../notifier/format.standard-webhooks.ts';
import type { AlertV1 } from '../schemas/alert.v1.ts';
import { makeAlert } from '../test/support/alerts.factory.ts';
import { alertLine } from './alert.line.ts';
import { startWebhookReceiver, type WebhookReceiver } from './webhook.receiver.ts';

const log = createLogger('silent');
let receiver: WebhookReceiver | null = null;
afterEach(async () => {
  await receiver?.close();
  receiver = null;
});

const post = (url: string, body: string, headers: Record<string, string>) =>
  fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } }).then((r) => r.status);

describe('demo webhook receiver', () => {
  it('accepts signed alerts once per webhook-id and refuses bad signatures', async () => {
    const shown: AlertV1[] = [];
    receiver = await startWebhookReceiver((a) => shown.push(a), log);
    const alert = makeAlert(1);
    const body = standardWebhookBody(alert);
    const headers = standardWebhookHeaders(alert.alert_id, body, parseSigningSecrets(receiver.secret, 'test'));

    expect(await post(receiver.url, body, headers)).toBe(204);
    expect(await post(receiver.url, body, headers)).toBe(204);
    expect(shown.map((a) => a.alert_id)).toEqual([alert.alert_id]);

    const other = parseSigningSecrets(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, 'test');
    const forged = makeAlert(2);
    const forgedBody = standardWebhookBody(forged);
    expect(await post(receiver.url, forgedBody, standardWebhookHeaders(forged.alert_id, forgedBody, other))).toBe(401);
    expect(await post(receiver.url, forgedBody, { 'webhook-id': forged.alert_id, 'webhook-timestamp': String(Math.floor(Date.now() / 1000)) })).toBe(401);
    expect(await post(receiver.url.replace('/alerts', '/other'), body, headers)).toBe(404);
    expect(shown).toHaveLength(1);
  });

  it('prints one line with time, elapsed seconds, severity, rule, tenant/user and summary', () => {
    const alert = makeAlert(3);
    const line = alertLine(alert, Date.parse(alert.detected_at) - 42_000, Date.parse(alert.detected_at));
    expect(line).toMatch(/^\d\d:\d\d:\d\d +\+42s {2}ALERT /);
    for (const part of [alert.severity.toUpperCase(), alert.rule.title, alert.rule.id, `${alert.tenant_id}/${alert.user_id}`, alert.summary]) expect(line).toContain(part);
    expect(line).not.toContain('\n');
  });
});
