// Flattens a validated event of either contract version into one row of the ClickHouse `events`
// table, as the column table of event.columns.ts states it: each column's value read from its
// source, an absent field as its kind's empty value. Not on ingest's hot path (eventRowTsv and the
// transcoder write the same row as a line), so it reads the table instead of restating it.
import { NO_CLASS, type Classification } from '../classify/classify.ts';
import type { AuditEvent } from '../schemas/event.ts';
import { isoToMs } from '../core/iso.time.ts';
import { EVENT_ROW, type EventColumn, type EventRow } from './event.columns.ts';

export type { EventRow } from './event.columns.ts';

export interface KafkaOrigin {
  topic: string;
  partition: number;
  offset: string;
}

type Sources = [event: AuditEvent, cls: Classification, origin: KafkaOrigin & { ingested_at: number }];
type Read = (from: Sources) => unknown;

/** The value at `keys` under `o`, undefined when a step is absent. */
function at(o: unknown, keys: readonly string[]): unknown {
  for (const k of keys) {
    if (o === undefined || o === null) return undefined;
    o = (o as Record<string, unknown>)[k];
  }
  return o;
}

/** A column's raw value from its source (undefined when absent), `tools[].name` as one value per element. */
function reader(c: EventColumn): Read {
  const source = c.source === 'classification' ? 1 : c.source === 'origin' ? 2 : 0;
  const [listPath, itemPath] = c.from.split('[].') as [string, string | undefined];
  const keys = listPath.split('.');
  if (itemPath === undefined) return (from) => at(from[source], keys);
  const itemKeys = itemPath.split('.');
  // An element without the field gives the element's empty value: '' in a list of strings, [] in a list of lists.
  const itemEmpty = (): unknown => (c.kind === 'string_lists' ? [] : '');
  return (from) => (at(from[source], keys) as unknown[] | undefined)?.map((x) => at(x, itemKeys) ?? itemEmpty());
}

/** A column's value in the row: the raw value as its kind stores it, or the kind's empty value. */
function column(c: EventColumn): Read {
  const read = reader(c);
  const only = c.only;
  const value = ((): ((v: unknown) => unknown) => {
    switch (c.kind) {
      case 'string':
        return (v) => v ?? '';
      case 'text_or_number':
        return (v) => (v === undefined ? '' : String(v));
      case 'number':
        return (v) => v ?? 0;
      case 'flag':
        return (v) => (v ? 1 : 0);
      case 'strings':
      case 'string_lists':
        return (v) => v ?? [];
      case 'iso_seconds':
        return (v) => Math.floor(isoToMs(v as string) / 1000);
      case 'iso_millis':
        return (v) => isoToMs(v as string);
      case 'seconds':
      case 'uint64_text':
        return (v) => v;
    }
  })();
  return only === undefined ? (from) => value(read(from)) : (from) => value(from[0].schema_version === only ? read(from) : undefined);
}

const NAMES = EVENT_ROW.map((c) => c.name);
const COLUMNS = EVENT_ROW.map(column);

/** `cls` is the event's classification (classify/classify.ts); ingest always passes it. */
export function toEventRow(e: AuditEvent, origin: KafkaOrigin, ingestedAtSec: number, cls: Classification = NO_CLASS): EventRow {
  const from: Sources = [e, cls, { topic: origin.topic, partition: origin.partition, offset: origin.offset, ingested_at: ingestedAtSec }];
  const row: Record<string, unknown> = {};
  for (let c = 0; c < NAMES.length; c++) row[NAMES[c]!] = COLUMNS[c]!(from);
  return row as EventRow;
}
