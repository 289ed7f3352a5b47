// Events of every contract version: `mcp.audit.events` -> `events`, each row with its capability class from the same
// catalogue and classification function the detector uses.
import type { Config } from '../core/config.ts';
import { loadCatalogue } from '../classify/catalogue.ts';
import { classifyWithHints, ToolHintsMemory } from '../classify/tool.hints.ts';
import type { AuditEvent } from '../schemas/event.ts';
import { decodeEvent } from '../schemas/event.decode.ts';
import { EVENT_COLUMNS, eventRowTsv } from './event.row.tsv.ts';
import { createEventTranscoder, type ClassifyInput } from './event.transcode.ts';
import type { IngestPipeline } from './ingest.pipeline.ts';

export function eventsPipeline(config: Config): IngestPipeline<AuditEvent> {
  const catalogue = loadCatalogue(config.rules.catalogueFiles);
  const hints = new ToolHintsMemory();
  const classify = (e: ClassifyInput) => classifyWithHints(hints, e, catalogue);
  const transcoder = createEventTranscoder();
  return {
    name: 'events',
    topic: config.topics.events,
    dlqTopic: config.topics.eventsDlq,
    groupId: config.ingest.groupId,
    // Most events go from their JSON bytes straight to their line (the same bytes eventRowTsv would
    // give); what the transcoder declines (tool listings, duplicate keys, anything invalid) takes
    // decode and toRow below, whose verdict and dead-letter reason stand.
    transcode: transcoder
      ? (bytes, maxBytes, origin, at) => {
          const line = transcoder.line(bytes, maxBytes, origin, at, classify);
          return line === null ? null : [line];
        }
      : undefined,
    decode: (bytes, maxBytes) => {
      const d = decodeEvent(bytes, maxBytes);
      return d.ok ? { ok: true, value: d.event } : d;
    },
    // TabSeparated lines written straight from the event: the row of event.row.ts without building
    // it. Held as UTF-8 bytes until the flush: a batch of 20,000 lines held as strings (each a rope of
    // its ~120 pieces) lives long enough to reach V8's old generation and costs more in GC than the
    // row objects did; a Buffer is one small object over memory outside the JavaScript heap.
    tables: [{ table: 'events', toRow: (e, origin, at) => Buffer.from(eventRowTsv(e, origin, at, classifyWithHints(hints, e, catalogue))), tsvColumns: EVENT_COLUMNS }],
  };
}
