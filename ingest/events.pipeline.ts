// Events: `mcp.audit.events` -> `events`.
import type { Config } from '../core/config.ts';
import type { AuditEventV1 } from '../schemas/event.v1.ts';
import { decodeEvent } from './event.decode.ts';
import { toEventRow } from './event.row.ts';
import type { IngestPipeline } from './ingest.pipeline.ts';

export function eventsPipeline(config: Config): IngestPipeline<AuditEventV1> {
  return {
    name: 'events',
    topic: config.topics.events,
    dlqTopic: config.topics.eventsDlq,
    groupId: config.ingest.groupId,
    decode: (bytes, maxBytes) => {
      const d = decodeEvent(bytes, maxBytes);
      return d.ok ? { ok: true, value: d.event } : d;
    },
    tables: [{ table: 'events', toRow: toEventRow }],
  };
}
