// Ingest writes events as rows (ingest/event.row.ts) and the detector reads them back
// (detector/event.from-row.ts): the two halves of one contract, owned by two services that must not
// import each other, so their round trip is checked here. Pure: nothing is started.
import { describe, expect, it } from 'vitest';
import { eventFromRow } from '../../detector/event.from-row.ts';
import { toEventRow } from '../../ingest/event.row.ts';
import { auditEventV1 } from '../../schemas/event.v1.ts';
import { auditEventV2 } from '../../schemas/event.v2.ts';
import { makeEvents } from '../support/events.factory.ts';
import { makeEventsV2 } from '../support/events.v2.factory.ts';

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

  it('turns stored v2 rows back into valid v2 events equal to the originals: fingerprints, episode, keys, secrets', () => {
    const events = makeEventsV2(300, { seed: 42 });
    // The sample must exercise every v2 field, or equality would prove little.
    for (const has of [
      (e: (typeof events)[number]) => (e.fingerprints?.result.length ?? 0) > 0,
      (e: (typeof events)[number]) => (e.fingerprints?.destinations.length ?? 0) > 0,
      (e: (typeof events)[number]) => e.episode !== undefined,
      (e: (typeof events)[number]) => e.actor.conversation_id !== undefined,
      (e: (typeof events)[number]) => e.arguments?.keys !== undefined,
      (e: (typeof events)[number]) => e.arguments?.secrets !== undefined,
      (e: (typeof events)[number]) => e.arguments?.truncated === true,
      (e: (typeof events)[number]) => e.result?.secrets !== undefined,
      (e: (typeof events)[number]) => e.result?.truncated === true,
      (e: (typeof events)[number]) => e.result?.hmac_sha256 !== undefined,
      (e: (typeof events)[number]) => e.tools?.some((t) => t.input_keys) === true && e.tools.some((t) => !t.input_keys),
      (e: (typeof events)[number]) => e.hash_key_id === undefined,
    ]) expect(events.some(has), String(has)).toBe(true);
    for (const e of events) {
      const row = asClickHouseJson(toEventRow(e, { topic: 't', partition: 0, offset: '7' }, 0));
      expect(row.args_sha256).toBe('');
      expect(row.result_sha256).toBe('');
      const back = eventFromRow(row);
      expect(auditEventV2.safeParse(back).error?.issues ?? []).toEqual([]);
      expect(back).toEqual(e);
    }
  });

  it('keeps v1 rows v1 with every v2 column empty', () => {
    for (const e of makeEvents(100, { seed: 7 })) {
      const row = toEventRow(e, { topic: 't', partition: 0, offset: '7' }, 0);
      for (const column of ['hash_key_id', 'args_hmac', 'result_hmac', 'episode_id', 'episode_basis', 'conversation_id'] as const) expect(row[column]).toBe('');
      for (const column of ['args_keys', 'args_secrets', 'result_secrets', 'fp_args', 'fp_result', 'fp_destinations', 'listed_tool_input_keys'] as const) expect(row[column]).toEqual([]);
      expect([row.args_truncated, row.result_truncated]).toEqual([0, 0]);
      expect(eventFromRow(asClickHouseJson(row)).schema_version).toBe(1);
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
