// The baseline fold on rows written by hand, shaped as the ClickHouse queries return them (64-bit
// numbers as strings): the statistics, the key boundaries and what each scope carries, with no
// ClickHouse involved. test/baselines.compute.test.ts runs the same job end to end.
import { describe, expect, it } from 'vitest';
import type { BaselineRow, BaselineScope } from './baseline.row.ts';
import { baselineWindow, foldContext, foldScope, runStamp, type FoldContext, type HourRow, type PerCallRow, type SentValuesRow, type UserSummaryRow } from './baselines.fold.ts';

const H = 3600;
/** Monday 2025-06-30 12:30 UTC: the window is 2025-06-02 12:00 .. 2025-06-30 12:00. */
const NOW = Date.UTC(2025, 5, 30, 12, 30);
const WINDOW = baselineWindow(NOW, 28);
/** Monday 2025-06-16 00:00 UTC, in seconds. */
const MONDAY = Date.UTC(2025, 5, 16) / 1000;

const hour = (key: Partial<HourRow>, at: number, calls: number, o: { bytes?: number; errors?: number; resources?: number } = {}): HourRow => ({
  tenant_id: 'acme',
  ...key,
  hour: String(at),
  calls: String(calls),
  bytes_out: String(o.bytes ?? calls * 100),
  errors: String(o.errors ?? 0),
  resources: String(o.resources ?? calls),
});

const summary = (user: string, first: number, last: number, known: Partial<UserSummaryRow> = {}): UserSummaryRow => ({
  tenant_id: 'acme',
  user_id: user,
  first_seen: String(first),
  last_seen: String(last),
  known_tools: [],
  known_servers: [],
  known_hosts: [],
  known_destinations: [],
  known_secret_paths: [],
  ...known,
});

function context(o: { summaries?: UserSummaryRow[]; sentValues?: SentValuesRow[]; perCall?: Partial<Record<'user' | 'tool', PerCallRow[]>> } = {}): FoldContext {
  return foldContext(WINDOW, runStamp(NOW, 28), { summaries: o.summaries ?? [], sentValues: o.sentValues ?? [] }, { user: o.perCall?.user ?? [], tool: o.perCall?.tool ?? [] });
}

async function fold(ctx: FoldContext, scope: BaselineScope, rows: HourRow[]): Promise<BaselineRow[]> {
  const out: BaselineRow[] = [];
  for await (const row of foldScope(ctx, scope, rows)) out.push(row);
  return out;
}

/** alice's weekday hours 09, 10 and 11 UTC with 4, 6 and 8 calls, for two weeks; 2 errors at 11. */
function aliceHours(key: Partial<HourRow> = { user_id: 'alice' }): HourRow[] {
  const rows: HourRow[] = [];
  for (const week of [0, 7]) {
    for (let day = 0; day < 5; day++) {
      for (const [h, n] of [[9, 4], [10, 6], [11, 8]] as const) {
        rows.push(hour(key, MONDAY + (week + day) * 24 * H + h * H, n, { errors: h === 11 ? 2 : 0, resources: h === 11 ? 7 : n }));
      }
    }
  }
  return rows;
}

describe('the baseline window', () => {
  it('covers whole hours and ends where the current hour starts', () => {
    expect(WINDOW).toEqual({ fromSec: Date.UTC(2025, 5, 2, 12) / 1000, toSec: Date.UTC(2025, 5, 30, 12) / 1000 });
    expect(runStamp(NOW, 28)).toEqual({ computed_at: Math.floor(NOW / 1000), computed_at_ms: NOW, lookback_days: 28 });
  });
});

describe('folding hour rows into baselines', () => {
  it('makes robust statistics of a user’s hours, the hour-of-week profile and the weeks of history', async () => {
    const [alice, ...rest] = await fold(context(), 'user', aliceHours());
    expect(rest).toEqual([]);
    expect(alice).toMatchObject({ tenant_id: 'acme', scope: 'user', user_id: 'alice', server_name: '', tool_name: '', computed_at_ms: NOW, lookback_days: 28 });
    // 30 active hours with 4, 6, 8 calls: median 6, deviations 2, 0, 2 -> MAD 2.
    expect(alice).toMatchObject({ calls_per_hour_samples: 30, calls_per_hour_median: 6, calls_per_hour_mad: 2, calls_per_hour_p95: 8, calls: 180 });
    expect(alice).toMatchObject({ bytes_out_per_hour_median: 600, bytes_out_per_hour_mad: 200 });
    expect(alice).toMatchObject({ error_rate_per_hour_median: 0, error_rate_per_hour_p95: 0.25 });
    expect(alice).toMatchObject({ distinct_resources_per_hour_median: 6, distinct_resources_per_hour_mad: 1 });
    expect(alice!.bytes_in_per_call_samples).toBe(0);
    expect(alice!.first_seen).toBe(MONDAY + 9 * H);
    expect(alice!.last_seen).toBe(MONDAY + 11 * 24 * H + 12 * H - 1);
    expect(alice!.weeks).toBeCloseTo((14 * 24 * H + 3 * H) / (7 * 24 * H), 6);
    expect(alice!.hour_of_week.filter((n) => n > 0)).toEqual(new Array(15).fill(2));
    expect(alice!.hour_of_week[9]).toBe(2);
  });

  it('yields one row per key, in the order of the stream', async () => {
    const rows = [hour({ user_id: 'alice' }, MONDAY, 3), hour({ user_id: 'alice' }, MONDAY + H, 5), hour({ user_id: 'bob' }, MONDAY, 1), hour({ tenant_id: 'other', user_id: 'bob' }, MONDAY, 2)];
    const out = await fold(context(), 'user', rows);
    expect(out.map((r) => [r.tenant_id, r.user_id, r.calls_per_hour_samples, r.calls])).toEqual([
      ['acme', 'alice', 2, 8],
      ['acme', 'bob', 1, 1],
      ['other', 'bob', 1, 2],
    ]);
    expect(await fold(context(), 'tool', [])).toEqual([]);
  });

  it('takes per-call result sizes for users and tools, and keeps user x tool rows to calls per hour', async () => {
    const perCall = (key: Partial<PerCallRow>): PerCallRow => ({ tenant_id: 'acme', n: '160', med: '1000', p95: '1000', mad: '0', ...key });
    const ctx = context({ perCall: { user: [perCall({ user_id: 'alice' })], tool: [perCall({ server_name: 'filesystem', tool_name: 'read_file', n: '12' })] } });
    const tool = { server_name: 'filesystem', tool_name: 'read_file' };
    const [user] = await fold(ctx, 'user', aliceHours());
    const [readFile] = await fold(ctx, 'tool', aliceHours(tool));
    const [userTool] = await fold(ctx, 'user_tool', aliceHours({ user_id: 'alice', tool_name: 'read_file' }));
    expect(user).toMatchObject({ bytes_in_per_call_samples: 160, bytes_in_per_call_median: 1000 });
    expect(readFile).toMatchObject({ scope: 'tool', user_id: '', ...tool, bytes_in_per_call_samples: 12, error_rate_per_hour_p95: 0.25 });
    // Per-user figures stay empty on the tool row.
    expect(readFile).toMatchObject({ bytes_out_per_hour_samples: 0, distinct_resources_per_hour_samples: 0, hour_of_week: [] });
    expect(userTool).toMatchObject({ scope: 'user_tool', calls_per_hour_median: 6, error_rate_per_hour_samples: 0, bytes_in_per_call_samples: 0 });
  });

  it('gives a user’s row the known sets and first event of the whole window', async () => {
    const earlier = MONDAY - 3 * H; // a tool listing before alice's first call
    const known = { known_tools: ['read_file'], known_servers: ['filesystem', 'github'], known_hosts: ['api.github.com'] };
    const sentValues = [{ tenant_id: 'acme', user_id: 'alice', known_sent_values: ['fp:signature'] }, { tenant_id: 'acme', user_id: 'bob', known_sent_values: ['fp:other'] }];
    const [alice] = await fold(context({ summaries: [summary('alice', earlier, MONDAY + 12 * 24 * H, known)], sentValues }), 'user', aliceHours());
    expect(alice).toMatchObject({ ...known, known_sent_values: ['fp:signature'], first_seen: earlier, last_seen: MONDAY + 12 * 24 * H, calls_per_hour_median: 6 });
    expect(alice!.weeks).toBeCloseTo((14 * 24 * H + 15 * H) / (7 * 24 * H), 6);
  });

  it('still yields users seen only through other kinds, with no activity profile, after the active ones', async () => {
    const ctx = context({ summaries: [summary('carol', MONDAY, MONDAY + H, { known_servers: ['github'] }), summary('alice', MONDAY, MONDAY)] });
    const out = await fold(ctx, 'user', aliceHours());
    expect(out.map((r) => r.user_id)).toEqual(['alice', 'carol']);
    expect(out[1]).toMatchObject({ scope: 'user', calls: 0, calls_per_hour_samples: 0, known_servers: ['github'], first_seen: MONDAY, computed_at_ms: NOW });
    expect(out[1]!.hour_of_week).toEqual(new Array(168).fill(0));
    // Only the user scope knows users.
    expect(await fold(ctx, 'tool', [])).toEqual([]);
  });

  it('counts weeks from the window’s start for a key older than the window', async () => {
    const [row] = await fold(context({ summaries: [summary('old', WINDOW.fromSec - 10 * 24 * H, MONDAY)] }), 'user', []);
    expect(row!.weeks).toBe(4);
  });
});
