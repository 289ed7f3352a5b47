// Signals: `mcp.audit.signals` -> `signals`. A signal has the alert's shape (schemas/alert.v1.ts)
// but opens no incident and never reaches a SIEM; it is kept for the incident story.
import type { Config } from '../core/config.ts';
import { decodeAlert } from '../schemas/alert.decode.ts';
import type { AlertV1 } from '../schemas/alert.v1.ts';
import { NO_INCIDENT } from '../schemas/signal.ts';
import { toAlertRow } from './alert.row.ts';
import type { IngestPipeline } from './ingest.pipeline.ts';

export function signalsPipeline(config: Config): IngestPipeline<AlertV1> {
  return {
    name: 'signals',
    topic: config.topics.signals,
    // Bad signals are as rare as bad alerts and read by the same people: one dead-letter topic.
    dlqTopic: config.topics.alertsDlq,
    groupId: config.ingest.signalsGroupId,
    decode: decodeAlert,
    tables: [
      {
        table: 'signals',
        toRow: (s, origin, at) => {
          const row = toAlertRow(s, origin, at);
          return s.incident_id === NO_INCIDENT ? { ...row, incident_id: '' } : row;
        },
      },
    ],
  };
}
