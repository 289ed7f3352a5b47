// `npm run test:unit` starts nothing, so a unit test that needs Kafka or ClickHouse must fail there,
// clearly and at once, rather than wait for servers that never answer. This runs the unit lane on
// test/unit/no.stack.probe.test.ts, whose tests reach for each (one even swallows the error), and
// reads the verdict. Pure: the probe's connections are refused before they leave the process.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('the unit lane', () => {
  it('fails a test that reaches for Kafka or ClickHouse, saying it is in the wrong lane', () => {
    const vitest = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));
    // With a pure file beside it in one worker: the lane shares workers between files (isolate: false).
    const files = ['test/unit/event.row.roundtrip.test.ts', 'test/unit/no.stack.probe.test.ts'];
    const run = spawnSync(process.execPath, [vitest, 'run', '--config', 'vitest.unit.config.ts', '--maxWorkers', '1', '--minWorkers', '1', ...files], {
      cwd: root,
      env: { ...process.env, UNIT_LANE_PROBE: '1', NO_COLOR: '1', FORCE_COLOR: '0' },
      encoding: 'utf8',
    });
    const out = `${run.stdout}${run.stderr}`;
    expect(run.status, out).toBe(1);
    expect(out).toMatch(/Tests +2 failed \| 4 passed \(6\)/);
    expect(out).toMatch(/unit lane: this test connects to ClickHouse \(port \d+\)/);
    expect(out).toMatch(/unit lane: this test connects to Kafka \(port \d+\)/);
    expect(out).toContain('Move it under test/');
  });
});
