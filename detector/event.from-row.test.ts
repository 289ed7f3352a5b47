import { describe, expect, it } from 'vitest';
import { toEventRow } from '../ingest/event.row.ts';
import { auditEventV1 } from '../schemas/event.v1.ts';
import { makeEvents } from '../test/support/events.factory.ts';
import { eventFromRow } from './event.from-row.ts';

/** What JSONEachRow gives back for a row: UInt64 as strings, DateTime as 'YYYY-MM-DD hh:mm:ss'. */
function asClickHouseJson(row: ReturnType<typeof toEventRow>): Record<string, unknown> {
  return {
    ...row,
    ts: new Date(row.ts * 1000).toISOString().slice(0, 19).replace('T', ' '),
    ts_ms: String(row.ts_ms),
    kafka_offset: String(row.kafka_offset),
    ingested_at: '2025-06-03 10:00:00',
  };
}

describe('eventFromRow', () => {
  it('turns stored rows back into valid events equal to the originals', () => {
    const events = makeEvents(300, { seed: 42 });
    for (const e of events) {
      const back = eventFromRow(asClickHouseJson(toEventRow(e, { topic: 't', partition: 0, offset: '7' }, 0)));
      expect(auditEventV1.safeParse(back).success).toBe(true);
      // The factory always sets duration_ms > 0 and never empty optional strings, so nothing is lost.
      expect(back).toEqual(e);
    }
  });

  it('leaves empty columns out and parses the time from ts when ts_ms is missing', () => {
    const back = eventFromRow({ event_id: '0197353b-c900-7026-ad34-3c424950585e', ts: '2025-06-03 10:00:00', tenant_id: 'acme', kind: 'session', mcp_method: 'initialize', user_id: 'u', server_name: 's', server_transport: 'stdio', resource_paths: [], result_status: '', duration_ms: 0 });
    expect(back).toEqual({
      schema_version: 1, event_id: '0197353b-c900-7026-ad34-3c424950585e', ts: '2025-06-03T10:00:00.000Z', tenant_id: 'acme', kind: 'session',
      mcp: { method: 'initialize' }, actor: { user_id: 'u' }, server: { name: 's', transport: 'stdio' },
    });
  });
});
