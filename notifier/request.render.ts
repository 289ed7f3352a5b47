// Turns alerts into the HTTP request a destination's type wants: body plus headers. Called again
// for every attempt, so the Standard Webhooks timestamp (and signature) is always fresh.
import type { Resource } from '@opentelemetry/resources';
import type { AlertV1 } from '../schemas/alert.v1.ts';
import type { Destination } from './destinations.config.ts';
import { ecsBody } from './format.ecs.ts';
import { ocsfBody } from './format.ocsf.ts';
import { otlpRejection, otlpRequest, otlpResource } from './format.otlp.ts';
import { splunkHecBody, splunkHecHeaders } from './format.splunk-hec.ts';
import { standardWebhookBody, standardWebhookHeaders } from './format.standard-webhooks.ts';

export interface RenderedRequest {
  body: string | Uint8Array;
  headers: Record<string, string>;
  /** For a 2xx answer that may still refuse the alerts (OTLP partial success): why, or null. */
  rejection?: (body: Buffer | undefined, contentType: string | null | undefined) => string | null;
}

/** One OTLP resource per destination, so its records share one ResourceLogs. */
const resources = new WeakMap<Destination, Resource>();

export function renderRequest(dest: Destination, alerts: readonly AlertV1[], now = Date.now()): RenderedRequest {
  const json = { 'content-type': 'application/json' };
  if (dest.type === 'splunk-hec') {
    return { body: splunkHecBody(alerts, dest.splunk), headers: { ...json, ...splunkHecHeaders(dest.token ?? '') } };
  }
  if (dest.type === 'otlp') {
    let resource = resources.get(dest);
    if (!resource) resources.set(dest, (resource = otlpResource(dest.otlp)));
    return { ...otlpRequest(alerts, dest.otlp, resource, dest.token, now), rejection: otlpRejection };
  }
  const alert = alerts[0];
  if (!alert || alerts.length !== 1) throw new Error(`${dest.type} sends exactly one alert per request`);
  const body = dest.type === 'standard-webhooks' ? standardWebhookBody(alert) : dest.type === 'ocsf' ? ocsfBody(alert) : ecsBody(alert);
  // Every one-alert request carries webhook-id (= alert id) so any receiver can de-duplicate;
  // the signature is added when the destination has secrets.
  return { body, headers: { ...json, ...standardWebhookHeaders(alert.alert_id, body, dest.signingSecrets, now) } };
}
