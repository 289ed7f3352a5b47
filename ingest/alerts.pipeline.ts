// Alerts: `mcp.audit.alerts` -> `alerts`, plus the 'open' row of their incident in `incidents`.
import type { Config } from '../core/config.ts';
import { alertV1, type AlertV1 } from '../schemas/alert.v1.ts';
import { toAlertRow, toIncidentOpenRow } from './alert.row.ts';
import { compileValidator } from './event.fastpath.ts';
import type { IngestPipeline } from './ingest.pipeline.ts';
import { decodeJson } from './json.decode.ts';

const fastValidAlert = (() => {
  try {
    return compileValidator(alertV1);
  } catch {
    return undefined;
  }
})();

/** Decodes an alert (or a signal, which has the alert's shape) from its Kafka value. */
export function decodeAlert(bytes: Buffer | null, maxBytes: number) {
  // Alerts carry up to 64 evidence items; they may be larger than one event.
  return decodeJson(bytes, Math.max(maxBytes, 262_144), alertV1, fastValidAlert);
}

export function alertsPipeline(config: Config): IngestPipeline<AlertV1> {
  return {
    name: 'alerts',
    topic: config.topics.alerts,
    dlqTopic: config.topics.alertsDlq,
    groupId: config.ingest.alertsGroupId,
    decode: decodeAlert,
    tables: [
      { table: 'alerts', toRow: toAlertRow },
      { table: 'incidents', toRow: (a, _origin, at) => toIncidentOpenRow(a, at) },
    ],
  };
}
