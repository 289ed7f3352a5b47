import { describe, expect, it } from 'vitest';
import { hourOfWeekIndex, hourOfWeekProfile, NO_SAMPLES, summarize } from './robust.stats.ts';
import { buildSnapshot } from './baselines.load.ts';
import { emptyRow, metricColumns } from './baseline.row.ts';

describe('robust statistics', () => {
  it('summarizes with median, raw MAD and p95; a wild value does not move the median', () => {
    expect(summarize([4, 6, 8, 6, 6])).toMatchObject({ samples: 5, median: 6, mad: 0 });
    expect(summarize([1, 2, 3, 4, 1000])).toMatchObject({ samples: 5, median: 3, mad: 1 });
    expect(summarize([])).toBe(NO_SAMPLES);
  });
  it('indexes hours of the week from Monday 00:00 UTC', () => {
    expect(hourOfWeekIndex(Date.UTC(2025, 5, 2) / 1000)).toBe(0); // a Monday
    expect(hourOfWeekIndex(Date.UTC(2025, 5, 8, 23) / 1000)).toBe(167); // the Sunday after
    expect(hourOfWeekIndex(0)).toBe(72); // 1970-01-01 was a Thursday
    const p = hourOfWeekProfile([Date.UTC(2025, 5, 2, 9) / 1000, Date.UTC(2025, 5, 9, 9) / 1000, Date.UTC(2025, 5, 3, 10) / 1000]);
    expect(p[9]).toBe(2);
    expect(p[34]).toBe(1);
    expect(p.reduce((a, b) => a + b, 0)).toBe(3);
  });
});

describe('buildSnapshot', () => {
  it('looks keys up by tenant and user, server and tool, user and tool; numbers may come as strings', () => {
    const user = { ...emptyRow({ tenant_id: 'acme', scope: 'user', user_id: 'a', server_name: '', tool_name: '' }), ...metricColumns('calls_per_hour', { samples: 30, median: 6, mad: 2, p95: 8 }), known_tools: ['read_file'] };
    const tool = { ...emptyRow({ tenant_id: 'acme', scope: 'tool', user_id: '', server_name: 'fs', tool_name: 'read_file' }), bytes_in_per_call_samples: '12', bytes_in_per_call_median: 1000 };
    const ut = emptyRow({ tenant_id: 'acme', scope: 'user_tool', user_id: 'a', server_name: '', tool_name: 'read_file' });
    const s = buildSnapshot([user, tool, ut], { computedAt: 5, lookbackDays: 28 });
    expect(s.user('acme', 'a')!.callsPerHour).toEqual({ samples: 30, median: 6, mad: 2, p95: 8 });
    expect(s.user('acme', 'a')!.knownTools.has('read_file')).toBe(true);
    expect(s.user('acme', 'a')!.hourOfWeek).toHaveLength(168);
    expect(s.tool('acme', 'fs', 'read_file')!.resultBytesPerCall).toMatchObject({ samples: 12, median: 1000 });
    expect(s.userTool('acme', 'a', 'read_file')).toBeDefined();
    expect(s.user('globex', 'a')).toBeUndefined();
    expect(s.sizes).toEqual({ users: 1, tools: 1, userTools: 1 });
  });
});
