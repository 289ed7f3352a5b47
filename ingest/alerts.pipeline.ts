// Alerts: `mcp.audit.alerts` -> `alerts`, plus the 'open' row of their incident in `incidents`.
import type { Config } from '../core/config.ts';
import { decodeAlert } from '../schemas/alert.decode.ts';
import type { AlertV1 } from '../schemas/alert.v1.ts';
import { toAlertRow, toIncidentOpenRow } from './alert.row.ts';
import type { IngestPipeline } from './ingest.pipeline.ts';

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
