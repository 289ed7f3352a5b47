// Baselines on the real ClickHouse: known events for a few users over two weeks, computed once;
// the snapshot's medians, MADs, hour-of-week profile and known sets are what the data says, and a
// run started while another is going is skipped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../core/ids.ts';
import { qualified, sql } from '../core/sql.ts';
import { computeBaselines, KEEP_RUNS } from '../detector/baselines/baselines.compute.ts';
import { loadBaselineSnapshot } from '../detector/baselines/baselines.load.ts';
import { createBaselineScheduler } from '../detector/baselines/baselines.scheduler.ts';
import { EMPTY_BASELINES, type BaselineSnapshot } from '../detector/baselines/baseline.types.ts';
import { toEventRow } from '../ingest/event.row.ts';
import type { AuditEvent } from '../schemas/event.ts';
import type { AuditEventV1 } from '../schemas/event.v1.ts';
import type { AuditEventV2 } from '../schemas/event.v2.ts';
import { spawnCli } from './support/child.ts';
import { createTestEnv, queryRows, testLog, type TestEnv } from './support/test.env.ts';

const H = 3_600_000;
const D = 24 * H;
/** Monday 2025-06-30 12:30 UTC: the window is 2025-06-02 12:00 .. 2025-06-30 12:00. */
const NOW = Date.UTC(2025, 5, 30, 12, 30);
const SHA = 'a'.repeat(64);
let seq = 0;

function call(user: string, ms: number, o: { server: string; tool: string; path?: string; host?: string; error?: boolean }): AuditEventV1 {
  return {
    schema_version: 1,
    event_id: uuidv7(ms, () => Uint8Array.from({ length: 10 }, (_, i) => (seq >> (i * 8)) & 0xff || i)),
    ts: new Date(ms).toISOString(),
    tenant_id: 'acme',
    kind: 'tool_call',
    mcp: { method: 'tools/call' },
    actor: { user_id: user },
    server: { name: o.server, transport: 'stdio' },
    tool: { name: o.tool },
    arguments: { preview: '{}', sha256: SHA, size_bytes: 100 },
    resource: { ...(o.path ? { paths: [o.path] } : {}), ...(o.host ? { hosts: [o.host], urls: [`https://${o.host}/x`] } : {}) },
    result: o.error ? { status: 'error', error_type: 'timeout' } : { status: 'ok', size_bytes: 1000 },
  };
}
const nextSeq = () => ++seq;

/**
 * alice: Monday to Friday of the weeks of 2025-06-16 and 2025-06-23, at 09, 10 and 11 UTC, with
 * 4, 6 and 8 calls (hour 11: 6 file reads and 2 failing fetches to one host).
 * bob: three active hours only (cold start). Plus noise that must not count: events before the
 * window, in the current incomplete hour, and a duplicate delivery of one of alice's hours.
 */
function dataset(): AuditEvent[] {
  const out: AuditEvent[] = [];
  for (const week of [Date.UTC(2025, 5, 16), Date.UTC(2025, 5, 23)]) {
    for (let day = 0; day < 5; day++) {
      for (const [hour, n] of [[9, 4], [10, 6], [11, 8]] as const) {
        const start = week + day * D + hour * H;
        for (let i = 0; i < n; i++) {
          nextSeq();
          const ms = start + i * 60_000;
          out.push(hour === 11 && i >= 6
            ? call('alice', ms, { server: 'fetch', tool: 'fetch_url', host: 'api.github.com', error: true })
            : call('alice', ms, { server: 'filesystem', tool: 'read_file', path: `/home/alice/p/${i}` }));
        }
      }
    }
  }
  // A tool listing from a server alice never called: it is still a known server.
  nextSeq();
  out.push({
    ...call('alice', Date.UTC(2025, 5, 17, 8), { server: 'github', tool: 'x' }),
    kind: 'tool_list',
    mcp: { method: 'tools/list' },
    tool: undefined,
    arguments: undefined,
    resource: undefined,
    result: undefined,
    tools: [{ name: 'search_code', description: 'Search code', description_sha256: SHA }],
  });
  for (const ms of [Date.UTC(2025, 5, 20, 14), Date.UTC(2025, 5, 21, 15), Date.UTC(2025, 5, 22, 16)]) {
    nextSeq();
    out.push(call('bob', ms, { server: 'postgres', tool: 'query' }));
  }
  // carol mails: her signature's phone number on three days, a contract passage on one day, and
  // the same passage in a file write (no destination) on another day: only the phone is routine.
  const send = (ms: number, values: string[], to: string | null): AuditEventV2 => {
    nextSeq();
    const { schema_version: _v, arguments: _a, ...v1 } = call('carol', ms, { server: 'gmail', tool: to ? 'send_email' : 'write_file' });
    const dest = to ? [`email:${to}`] : [];
    return { ...v1, schema_version: 2, hash_key_id: 'k', fingerprints: { arguments: [...dest, ...values], result: [], destinations: dest } };
  };
  for (const day of [17, 18, 19]) out.push(send(Date.UTC(2025, 5, day, 10), ['phone:carol', ...(day === 18 ? ['text:contract'] : [])], `c${day}@x.example`));
  out.push(send(Date.UTC(2025, 5, 20, 10), ['text:contract'], null));
  nextSeq();
  out.push(call('alice', Date.UTC(2025, 4, 20, 9), { server: 'shell', tool: 'run_command' })); // before the window
  nextSeq();
  out.push(call('alice', Date.UTC(2025, 5, 30, 12, 10), { server: 'shell', tool: 'run_command' })); // current hour
  return out;
}

let t: TestEnv;
let db: string;
let snapshot: BaselineSnapshot;

beforeAll(async () => {
  t = await createTestEnv('baselines');
  db = t.config.clickhouse.database;
  const events = dataset();
  const rows = events.map((e, i) => toEventRow(e, { topic: 't', partition: 0, offset: String(i) }, 0));
  const duplicates = rows.filter((r) => r.ts_ms >= Date.UTC(2025, 5, 16, 10) && r.ts_ms < Date.UTC(2025, 5, 16, 11));
  await t.clickhouse.insert({ table: `${db}.events`, values: rows, format: 'JSONEachRow' });
  await t.clickhouse.insert({ table: `${db}.events`, values: duplicates, format: 'JSONEachRow' }); // a redelivery
  expect(duplicates).toHaveLength(6);
});
afterAll(async () => t?.clickhouse.close());

describe('baselines from ClickHouse', () => {
  it('is empty before the first run (cold start: every baseline rule stays silent)', async () => {
    expect(await loadBaselineSnapshot(t.clickhouse, db)).toBe(EMPTY_BASELINES);
  });

  it('computes medians, MADs, the hour-of-week profile and known sets', async () => {
    const summary = await computeBaselines(t.clickhouse, db, { lookbackDays: 28, now: NOW, log: testLog });
    expect(summary).toMatchObject({ userKeys: 3, toolKeys: 5, userToolKeys: 5, hourRows: 30 + 3 + 40 + 3 + 30 + 10 + 3 + 3 * 4 });
    snapshot = await loadBaselineSnapshot(t.clickhouse, db);
    expect(snapshot.computedAt).toBe(NOW);
    expect(snapshot.lookbackDays).toBe(28);

    const alice = snapshot.user('acme', 'alice')!;
    // 30 active hours with 4, 6, 8 calls: median 6, deviations 2, 0, 2 -> MAD 2. The duplicate
    // delivery, the event before the window and the one in the current hour do not count.
    expect(alice.callsPerHour).toEqual({ samples: 30, median: 6, mad: 2, p95: 8 });
    expect(alice.bytesOutPerHour).toEqual({ samples: 30, median: 600, mad: 200, p95: 800 });
    // Only hour 11 has errors (2 of 8).
    expect(alice.errorRatePerHour).toMatchObject({ samples: 30, median: 0, mad: 0, p95: 0.25 });
    // Distinct resources 4, 6 and 7 (6 paths + 1 host): median 6, deviations 2, 0, 1 -> MAD 1.
    expect(alice.distinctResourcesPerHour).toMatchObject({ samples: 30, median: 6, mad: 1 });
    // 160 successful calls of 1000 result bytes each.
    expect(alice.bytesInPerCall).toEqual({ samples: 160, median: 1000, mad: 0, p95: 1000 });

    expect(alice.hourOfWeek).toHaveLength(168);
    for (let day = 0; day < 7; day++) {
      for (let h = 0; h < 24; h++) expect(alice.hourOfWeek[day * 24 + h], `day ${day} hour ${h}`).toBe(day < 5 && h >= 9 && h <= 11 ? 2 : 0);
    }
    // First event 2025-06-16 09:00 (the tool listing was later), window ends 2025-06-30 12:00.
    expect(alice.weeks).toBeCloseTo((14 * D + 3 * H) / (7 * D), 6);
    expect([...alice.knownTools].sort()).toEqual(['fetch_url', 'read_file']);
    expect([...alice.knownServers].sort()).toEqual(['fetch', 'filesystem', 'github']);
    expect([...alice.knownHosts]).toEqual(['api.github.com']);
  });

  it('knows the values a user sends on two days or more (a signature), not content sent once', () => {
    expect([...snapshot.user('acme', 'carol')!.knownSentValues!]).toEqual(['phone:carol']);
    expect(snapshot.user('acme', 'alice')!.knownSentValues!.size).toBe(0);
  });

  it('gives keys with little history small sample counts (rules with min_samples stay silent)', () => {
    const bob = snapshot.user('acme', 'bob')!;
    expect(bob.callsPerHour).toEqual({ samples: 3, median: 1, mad: 0, p95: 1 });
    expect(bob.hourOfWeek.reduce((a, b) => a + b, 0)).toBe(3);
    expect(snapshot.user('acme', 'nobody')).toBeUndefined();
    expect(snapshot.user('other-tenant', 'alice')).toBeUndefined();
  });

  it('has per-tool and per-user-tool baselines', () => {
    const readFile = snapshot.tool('acme', 'filesystem', 'read_file')!;
    expect(readFile.callsPerHour).toEqual({ samples: 30, median: 6, mad: 0, p95: 6 });
    expect(readFile.resultBytesPerCall).toMatchObject({ samples: 160, median: 1000, mad: 0 });
    expect(readFile.errorRatePerHour.median).toBe(0);
    const fetch = snapshot.tool('acme', 'fetch', 'fetch_url')!;
    expect(fetch.callsPerHour).toEqual({ samples: 10, median: 2, mad: 0, p95: 2 });
    expect(fetch.errorRatePerHour).toEqual({ samples: 10, median: 1, mad: 0, p95: 1 });
    expect(fetch.resultBytesPerCall.samples).toBe(0);
    expect(snapshot.userTool('acme', 'alice', 'read_file')!.callsPerHour).toEqual({ samples: 30, median: 6, mad: 0, p95: 6 });
    expect(snapshot.userTool('acme', 'alice', 'fetch_url')!.callsPerHour.samples).toBe(10);
    expect(snapshot.userTool('acme', 'bob', 'read_file')).toBeUndefined();
  });

  it('skips a run that starts while the previous one is still going, and hands each new snapshot over', async () => {
    const handed: number[] = [];
    let clock = NOW + 1;
    const scheduler = createBaselineScheduler({
      ch: t.clickhouse,
      database: db,
      cron: '*/15 * * * *',
      lookbackDays: 28,
      log: testLog,
      now: () => clock++,
      onSnapshot: (s) => void handed.push(s.computedAt),
    });
    const first = scheduler.runNow();
    expect(scheduler.isRunning()).toBe(true);
    const second = await scheduler.runNow();
    expect(second).toEqual({ status: 'skipped', reason: 'running' });
    const done = await first;
    expect(done.status).toBe('done');
    expect(scheduler.isRunning()).toBe(false);
    expect(handed).toEqual([NOW + 1]);
    // After it finished, the next run goes ahead.
    expect((await scheduler.runNow()).status).toBe('done');
    expect(handed).toEqual([NOW + 1, NOW + 2]);
    await scheduler.stop();
  });

  it('runs on its node-cron schedule once started, and stops', async () => {
    let resolveFirst: (n: number) => void = () => {};
    const first = new Promise<number>((r) => (resolveFirst = r));
    const scheduler = createBaselineScheduler({
      ch: t.clickhouse,
      database: db,
      cron: '* * * * * *', // every second (node-cron's optional seconds field)
      lookbackDays: 28,
      log: testLog,
      now: () => NOW + 50,
      onSnapshot: (s) => resolveFirst(s.computedAt),
    });
    expect(() => createBaselineScheduler({ ch: t.clickhouse, database: db, cron: 'every minute' })).toThrow(/cron/);
    scheduler.start();
    expect(await first).toBe(NOW + 50);
    await scheduler.stop();
    expect(scheduler.isRunning()).toBe(false);
  });

  it('keeps only the newest runs (older partitions dropped) and loads the newest', async () => {
    for (let i = 0; i < KEEP_RUNS; i++) await computeBaselines(t.clickhouse, db, { lookbackDays: 28, now: NOW + 100 + i });
    const runs = await queryRows<{ n: string }>(
      t.clickhouse,
      sql`SELECT uniqExact(computed_at_ms) AS n FROM ${qualified(db, 'baselines')}`.text,
    );
    expect(Number(runs[0]!.n)).toBe(KEEP_RUNS);
    const latest = await loadBaselineSnapshot(t.clickhouse, db);
    expect(latest.computedAt).toBe(NOW + 100 + KEEP_RUNS - 1);
    expect(latest.user('acme', 'alice')!.callsPerHour.median).toBe(6);
  });

  it('`baselines compute --as-of` computes as of that time (history replayed into the past), and --json tells the window', async () => {
    const asOf = new Date(NOW + 3_600_000).toISOString();
    const child = spawnCli(['baselines', 'compute', '--as-of', asOf, '--lookback-days', '28', '--json'], t.env);
    expect(await child.exited, child.output()).toBe(0);
    const line = child.output().split('\n').find((l) => l.startsWith('{"users"'));
    expect(line, child.output()).toBeDefined();
    const summary = JSON.parse(line!) as { to: string; users: number };
    // The window ends at the last whole hour before the as-of time, as for a scheduled run.
    expect(summary.to).toBe(new Date(Math.floor(Date.parse(asOf) / 3_600_000) * 3_600_000).toISOString());
    expect(summary.users).toBeGreaterThan(0);
    expect((await loadBaselineSnapshot(t.clickhouse, db)).computedAt).toBe(Date.parse(asOf));
  });
});
