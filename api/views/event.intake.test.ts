// What POST /v1/events accepts, checked without Kafka or the API: one event or an NDJSON batch,
// each against its contract version, each of the key's tenant. test/api.ingest.test.ts drives the
// route end to end.
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../core/ids.ts';
import { checkIntake, FOREIGN_TENANT } from './event.intake.ts';

const event = (o: Record<string, unknown> = {}) => ({
  schema_version: 1,
  event_id: uuidv7(),
  ts: new Date(Date.UTC(2025, 5, 30, 9)).toISOString(),
  tenant_id: 'acme',
  kind: 'tool_call',
  mcp: { method: 'tools/call' },
  actor: { user_id: 'alice' },
  server: { name: 'filesystem', transport: 'stdio' },
  tool: { name: 'read_file' },
  result: { status: 'ok' },
  ...o,
});
const limits = { maxBytes: 1_000_000, batchMax: 3 };

describe('checkIntake', () => {
  it('accepts one valid event of the key’s tenant', () => {
    const e = event();
    const intake = checkIntake(e, 'acme', limits);
    expect(intake).toMatchObject({ ok: true, batch: false, errors: [] });
    expect(intake.ok && intake.valid.map((v) => v.event_id)).toEqual([e.event_id]);
  });

  it('refuses an event of another tenant, and names the issue the route answers 403 for', () => {
    expect(checkIntake(event({ tenant_id: 'other' }), 'acme', limits)).toMatchObject({ ok: true, valid: [], errors: [{ index: 0, issues: [FOREIGN_TENANT] }] });
  });

  it('checks a batch line by line, skipping blank lines, and reports errors in batch order', () => {
    const good = event();
    const body = ['{not json', '', JSON.stringify(event({ kind: 'nonsense' })), JSON.stringify(good)].join('\n');
    const intake = checkIntake(body, 'acme', limits);
    if (!intake.ok) throw new Error('not a batch of three');
    expect(intake.batch).toBe(true);
    expect(intake.valid.map((v) => v.event_id)).toEqual([good.event_id]);
    expect(intake.errors.map((e) => e.index)).toEqual([0, 1]);
    expect(intake.errors[0]!.issues).toEqual(['not valid JSON']);
    expect(intake.errors[1]!.issues.join(' ')).toContain('kind');
  });

  it('checks nothing in a batch longer than allowed, and says how long it was', () => {
    const body = Array.from({ length: 4 }, () => JSON.stringify(event())).join('\n');
    expect(checkIntake(body, 'acme', limits)).toEqual({ ok: false, lines: 4 });
  });
});
