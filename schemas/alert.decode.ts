// The one decoder of alerts (and signals, which have the alert's shape): raw Kafka value -> a
// validated alert (schemas/alert.v1.ts), or a reason for the dead-letter topic. Ingest stores what
// it accepts and the notifier delivers it, so both must agree on what an alert is.
import { alertV1 } from './alert.v1.ts';
import { compileValidator } from './event.fastpath.ts';
import { decodeJson } from './json.decode.ts';

const fastValidAlert = (() => {
  try {
    return compileValidator(alertV1);
  } catch {
    return undefined;
  }
})();

/** Alerts carry up to 64 evidence items, so they may be larger than one event: never less than this. */
export const MIN_ALERT_MAX_BYTES = 262_144;

/** Decodes an alert (or a signal, which has the alert's shape) from its Kafka value. */
export function decodeAlert(bytes: Buffer | null, maxBytes: number) {
  return decodeJson(bytes, Math.max(maxBytes, MIN_ALERT_MAX_BYTES), alertV1, fastValidAlert);
}
