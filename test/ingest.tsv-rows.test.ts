// Ingest writes events as TabSeparated lines built straight from the event (ingest/event.row.tsv.ts)
// instead of JSONEachRow objects (ingest/event.row.ts): in ClickHouse the two must give the same
// rows. The same events, with text full of tabs, newlines, backslashes and quotes and times at the
// edges of the range, go through the sink both ways into two tables of the events DDL, on
// ClickHouse 18.16 and on a current release (chdb); every stored value and every refused event
// must be the same, and a line ClickHouse refuses is split out for the dead-letter topic.
import { afterAll, describe, expect, it } from 'vitest';
import type { ClickHouseClient } from '../core/clickhouse.ts';
import { loadCatalogue } from '../classify/catalogue.ts';
import { classify } from '../classify/classify.ts';
import { toEventRow, type KafkaOrigin } from '../ingest/event.row.ts';
import { EVENT_COLUMNS, eventRowTsv } from '../ingest/event.row.tsv.ts';
import { RowsSink } from '../ingest/events.sink.ts';
import { migrate } from '../migrations/migrate.ts';
import type { AuditEvent } from '../schemas/event.ts';
import { auditEvent } from '../schemas/event.ts';
import { createChdbEngine, type ChdbEngine } from './support/chdb.client.ts';
import { makeEvents } from './support/events.factory.ts';
import { makeEventsV2 } from './support/events.v2.factory.ts';
import { createTestEnv, testLog } from './support/test.env.ts';

interface Item {
  e: AuditEvent;
  origin: KafkaOrigin;
}

const AT = 1_764_460_800;
const ODD = "a\\b\tc\nd\re'f\"g\\N\\t[x],'y'\0\u0001 ü€😀";
const EDGE_TIMES = ['1970-01-01T00:00:00Z', '1970-01-01T00:00:09.999Z', '1970-01-01T02:46:39Z', '1999-12-31T23:59:59.999Z', '2026-11-30T23:59:59.5+14:00', '2105-12-31T23:59:59Z'];

function events(): AuditEvent[] {
  const v1 = makeEvents(400, { seed: 21 });
  const v2 = makeEventsV2(400, { seed: 22 });
  // Odd text in every kind of field, on events of their own (distinct ids).
  const odd = makeEventsV2(EDGE_TIMES.length, { seed: 23 }).map(
    (e, i) =>
      ({
        ...e,
        ts: EDGE_TIMES[i]!,
        kind: 'tool_list',
        mcp: { ...e.mcp, session_id: ODD, request_id: i % 2 ? ODD : -42 },
        actor: { ...e.actor, agent_id: ODD, conversation_id: ODD },
        arguments: { preview: ODD, hmac_sha256: 'a'.repeat(64), size_bytes: 2 ** 32 - 1, keys: [ODD, 'x'], secrets: [ODD], truncated: true },
        resource: { paths: [ODD, 'C:\\Users\\me\\.ssh\\id_rsa'], urls: [ODD], hosts: [ODD], recipients: ["o'brien@x.org"], tables: [ODD] },
        tools: [{ name: ODD, description: ODD, description_sha256: 'b'.repeat(64), input_keys: [ODD, '\\'] }, { name: 'x', description_sha256: 'c'.repeat(64) }],
        duration_ms: 0.125,
        hash_key_id: 'k-1',
      }) as AuditEvent,
  );
  const all = [...v1, ...v2, ...odd].map((e) => JSON.parse(JSON.stringify(e)) as AuditEvent);
  for (const e of all) expect(auditEvent.safeParse(e).error?.issues, e.event_id).toBeUndefined();
  return all;
}

async function compareFormats(ch: ClickHouseClient, database: string): Promise<void> {
  await ch.command({ query: `CREATE TABLE ${database}.events_tsv AS ${database}.events` });
  const catalogue = loadCatalogue();
  const items: Item[] = events().map((e, i) => ({ e, origin: { topic: 'mcp.audit.events', partition: i % 6, offset: String(1_000_000 + i) } }));
  const sink = (table: string, tsv: boolean) =>
    new RowsSink<Item>(ch, testLog, {
      table: `${database}.${table}`,
      toRow: tsv ? (x) => eventRowTsv(x.e, x.origin, AT, classify(x.e, catalogue)) : (x) => toEventRow(x.e, x.origin, AT, classify(x.e, catalogue)),
      tsvColumns: tsv ? EVENT_COLUMNS : undefined,
      retryMaxMs: 1_000,
      signal: new AbortController().signal,
    });
  const json = await sink('events', false).write(items);
  const tsv = await sink('events_tsv', true).write(items);
  expect(tsv.rejected.map((r) => r.row.e.event_id)).toEqual(json.rejected.map((r) => r.row.e.event_id));
  const read = async (table: string) =>
    (await ch.query({ query: `SELECT * FROM ${database}.${table} ORDER BY event_id, kafka_offset`, format: 'JSONEachRow' })).json<Record<string, unknown>>();
  const [fromJson, fromTsv] = [await read('events'), await read('events_tsv')];
  expect(fromJson.length).toBe(items.length - json.rejected.length);
  expect(fromTsv).toEqual(fromJson);
  // The odd text made it through whole (not only equally mangled both ways).
  const odd = fromTsv.filter((r) => r.mcp_session_id === ODD);
  expect(odd.length).toBeGreaterThan(0);
  for (const r of odd) expect(r.resource_paths).toEqual([ODD, 'C:\\Users\\me\\.ssh\\id_rsa']);

  // A line ClickHouse refuses (here a field too many) is isolated by splitting the batch and handed
  // back for the dead-letter topic; its neighbours are stored (18.16's errors carry their code in the text).
  await ch.command({ query: `TRUNCATE TABLE ${database}.events_tsv` });
  const broken = items[17]!;
  const splitting = new RowsSink<Item>(ch, testLog, {
    table: `${database}.events_tsv`,
    toRow: (x) => eventRowTsv(x.e, x.origin, AT, classify(x.e, catalogue)).replace(/\n$/, x === broken ? '\textra\n' : '\n'),
    tsvColumns: EVENT_COLUMNS,
    retryMaxMs: 1_000,
    signal: AbortSignal.timeout(60_000),
  });
  const { rejected } = await splitting.write(items);
  expect(rejected.map((r) => r.row)).toEqual([broken]);
  expect(await read('events_tsv')).toEqual(fromJson.filter((r) => r.event_id !== broken.e.event_id));
}

describe('events as TabSeparated lines and as JSONEachRow rows', () => {
  let chdb: ChdbEngine | undefined;
  afterAll(async () => {
    await chdb?.close();
  });

  it('store the same rows in ClickHouse 18.16', async () => {
    const t = await createTestEnv('tsv_rows');
    // The database stays, as every test's does (test/support/leftovers.ts removes old ones).
    try {
      await compareFormats(t.clickhouse, t.config.clickhouse.database);
    } finally {
      await t.clickhouse.close();
    }
  });

  it('store the same rows in a current ClickHouse (chdb)', async () => {
    chdb = createChdbEngine();
    const database = 'mcp_audit_tsv_rows';
    await migrate(chdb.client(null), database, testLog);
    await compareFormats(chdb.client(database), database);
  });
});
