// Splunk HTTP Event Collector (`/services/collector/event`): `Authorization: Splunk <token>` and a
// body of one or more event envelopes `{time, host, source, sourcetype, [index], event}` written one
// after another (concatenated JSON objects, which is how HEC takes a batch in one request).
import { hostname } from 'node:os';
import type { AlertV1 } from '../schemas/alert.v1.ts';

export interface SplunkOptions {
  host?: string | undefined;
  source: string;
  sourcetype: string;
  index?: string | undefined;
}

export function splunkEnvelope(alert: AlertV1, opts: SplunkOptions): Record<string, unknown> {
  return {
    // HEC's `time` is epoch seconds with optional fraction; the alert's event time, so searches
    // over a time range find the alert where its evidence happened.
    time: Date.parse(alert.ts) / 1000,
    host: opts.host ?? hostname(),
    source: opts.source,
    sourcetype: opts.sourcetype,
    ...(opts.index ? { index: opts.index } : {}),
    event: alert,
  };
}

export function splunkHecBody(alerts: readonly AlertV1[], opts: SplunkOptions): string {
  return alerts.map((a) => JSON.stringify(splunkEnvelope(a, opts))).join('\n');
}

export function splunkHecHeaders(token: string): Record<string, string> {
  return { authorization: `Splunk ${token}` };
}
