// The row of event.columns.ts written straight to one TabSeparated line (tsv.ts), without building
// the row object: ingest's path for the events the transcoder declines. Written out by hand, not
// read from the column table as toEventRow does: a line built by one closure per column of the
// table took 1.3 to 1.7 times the CPU of this one (with Buffer.from, bench events). It must give
// exactly toEventRow's values (so the table's) in EVENT_COLUMNS order, which event.row.tsv.test.ts
// checks field by field (v1 and v2 factory events, fuzzed events) and test/ingest.tsv-rows.test.ts
// checks in ClickHouse (18.16 and a current release) against rows inserted as JSONEachRow.
import { NO_CLASS, type Classification } from '../classify/classify.ts';
import { isoToMs } from '../core/iso.time.ts';
import type { AuditEvent } from '../schemas/event.ts';
import { EVENT_ROW, type EventColumnName } from './event.columns.ts';
import type { KafkaOrigin } from './event.row.ts';
import { tsvDateTime, tsvMillis, tsvString as s, tsvStringLists, tsvStrings as list } from './tsv.ts';

/** The columns of a line, in order: the names of event.columns.ts's table. */
export const EVENT_COLUMNS: readonly EventColumnName[] = EVENT_ROW.map((c) => c.name);

const NONE: readonly string[] = [];

/** toEventRow(e, origin, ingestedAtSec, cls) as one TabSeparated line of EVENT_COLUMNS, ending in a newline. */
export function eventRowTsv(e: AuditEvent, origin: KafkaOrigin, ingestedAtSec: number, cls: Classification = NO_CLASS): string {
  const tsMs = isoToMs(e.ts);
  const { mcp, actor, server, tool, resource, result, tools, trace } = e;
  const args = e.arguments;
  // Plain hashes exist only in v1, keyed hashes and the rest only in v2.
  const v1 = e.schema_version === 1 ? e : undefined;
  const v2 = e.schema_version === 2 ? e : undefined;
  const v2args = v2?.arguments;
  const v2result = v2?.result;
  const fp = v2?.fingerprints;
  const episode = v2?.episode;
  return (
    `${s(e.event_id)}\t${e.schema_version}\t${tsvDateTime(Math.floor(tsMs / 1000))}\t${tsvMillis(tsMs)}\t${s(e.tenant_id)}\t${s(e.kind)}` +
    `\t${s(mcp.method)}\t${s(mcp.session_id ?? '')}\t${s(mcp.protocol_version ?? '')}` +
    `\t${mcp.request_id === undefined ? '' : s(String(mcp.request_id))}` +
    `\t${s(actor.user_id)}\t${s(actor.agent_id ?? '')}\t${s(actor.client_name ?? '')}\t${s(actor.client_version ?? '')}\t${s(actor.source_address ?? '')}` +
    `\t${s(server.name)}\t${s(server.version ?? '')}\t${s(server.transport)}\t${s(server.fingerprint ?? '')}` +
    `\t${s(tool?.name ?? '')}\t${s(tool?.call_id ?? '')}\t${s(cls.class)}\t${cls.inferred ? 1 : 0}` +
    `\t${s(args?.preview ?? '')}\t${s(v1?.arguments?.sha256 ?? '')}\t${args?.size_bytes ?? 0}` +
    `\t${list(resource?.paths ?? NONE)}\t${list(resource?.urls ?? NONE)}\t${list(resource?.hosts ?? NONE)}\t${list(resource?.recipients ?? NONE)}\t${list(resource?.tables ?? NONE)}` +
    `\t${s(result?.status ?? '')}\t${s(result?.error_type ?? '')}\t${result?.size_bytes ?? 0}\t${s(v1?.result?.sha256 ?? '')}\t${e.duration_ms ?? 0}` +
    `\t${tools ? list(tools.map((t) => t.name)) : '[]'}\t${tools ? list(tools.map((t) => t.description ?? '')) : '[]'}\t${tools ? list(tools.map((t) => t.description_sha256)) : '[]'}` +
    `\t${s(trace?.trace_id ?? '')}\t${s(trace?.span_id ?? '')}` +
    `\t${s(v2?.hash_key_id ?? '')}\t${s(v2args?.hmac_sha256 ?? '')}\t${list(v2args?.keys ?? NONE)}\t${list(v2args?.secrets ?? NONE)}\t${v2args?.truncated ? 1 : 0}` +
    `\t${s(v2result?.hmac_sha256 ?? '')}\t${list(v2result?.secrets ?? NONE)}\t${v2result?.truncated ? 1 : 0}` +
    `\t${list(fp?.arguments ?? NONE)}\t${list(fp?.result ?? NONE)}\t${list(fp?.destinations ?? NONE)}` +
    `\t${s(episode?.id ?? '')}\t${s(episode?.basis ?? '')}\t${s(v2?.actor.conversation_id ?? '')}` +
    `\t${v2?.tools ? tsvStringLists(v2.tools.map((t) => t.input_keys ?? NONE)) : '[]'}` +
    `\t${s(origin.topic)}\t${origin.partition}\t${origin.offset}\t${tsvDateTime(ingestedAtSec)}\n`
  );
}
