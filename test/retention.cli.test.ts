// `mcp-audit retention --json`: what it would drop (--dry-run) and what it dropped, as one JSON
// object on stdout that a script parses whole (the logs go to stderr), on a real ClickHouse.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toEventRow } from '../ingest/event.row.ts';
import { makeEvents } from './support/events.factory.ts';
import { createTestEnv, type TestEnv } from './support/test.env.ts';

const BIN = fileURLToPath(new URL('../bin/mcp-audit.js', import.meta.url));
const DAY_MS = 86_400_000;
let t: TestEnv;
// Events of one day 200 days ago, past the default period of 90 days.
const old = new Date(Date.now() - 200 * DAY_MS);
const partition = `events/${old.toISOString().slice(0, 10).replaceAll('-', '')}`;

beforeAll(async () => {
  t = await createTestEnv('retention_cli', { MCP_AUDIT_LOG_LEVEL: 'info' });
  const events = makeEvents(3, { startMs: Date.UTC(old.getUTCFullYear(), old.getUTCMonth(), old.getUTCDate(), 12), stepMs: 1_000 });
  await t.clickhouse.insert({
    table: `${t.config.clickhouse.database}.events`,
    values: events.map((e, i) => toEventRow(e, { topic: 't', partition: 0, offset: String(i) }, Math.floor(Date.now() / 1000))),
    format: 'JSONEachRow',
  });
});
afterAll(async () => {
  await t?.clickhouse.close();
});

async function retention(...args: string[]): Promise<unknown> {
  const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'retention', '--json', ...args], { env: { ...process.env, ...t.env }, encoding: 'utf8' });
  return JSON.parse(stdout);
}

describe('mcp-audit retention --json', () => {
  it('lists, then drops, the partitions past the period', async () => {
    expect(await retention('--dry-run')).toEqual({ dry_run: true, retention_days: 90, partitions: [partition] });
    expect(await retention()).toEqual({ dry_run: false, retention_days: 90, partitions: [partition] });
    expect(await retention('--dry-run')).toEqual({ dry_run: true, retention_days: 90, partitions: [] });
  });
});
