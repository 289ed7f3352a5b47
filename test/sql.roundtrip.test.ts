// Property test against the real ClickHouse: any string bound by the helper reads back unchanged,
// both as a literal in a SELECT and after an INSERT ... VALUES into a table.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClickHouseClient } from '../core/clickhouse.ts';
import { join, qualified, sql } from '../core/sql.ts';
import { createTestEnv, queryRows } from './support/test.env.ts';

let ch: ClickHouseClient;
let database: string;

beforeAll(async () => {
  const env = await createTestEnv('sql');
  ch = env.clickhouse;
  database = env.config.clickhouse.database;
  await ch.command({ query: sql`CREATE TABLE ${qualified(database, 'strings')} (id UInt32, v String) ENGINE = MergeTree ORDER BY id`.text });
});
afterAll(async () => ch?.close());

/** Strings a hostile user might send: quotes, backslashes, newlines, NUL, tabs, SQL, any unicode. */
const hostile = fc.oneof(
  fc.string({ unit: fc.constantFrom("'", '\\', '"', '`', '\n', '\r', '\t', '\0', ';', '-', '/', '*', 'a', '\u2028', 'é', '😀', '\x1b', '\x7f') }),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary', maxLength: 200 }).map((s) => s.toWellFormed()),
  fc.constantFrom("' OR 1=1 --", "\\' ; DROP TABLE x; --", "\\\\'", "'''", '\\x27', '\\0', "a'||'b", "\\'\\'"),
  fc.integer({ min: 1, max: 10 }).map((k) => `${"\\'\n\0é".repeat(k * 256)}`), // ~10 KB strings
);

const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex').toUpperCase();

describe('SQL binding helper against the real server', () => {
  it('reads back exactly the bound string from a SELECT', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, async (s) => {
        const [row] = await queryRows<{ h: string; n: string }>(ch, sql`SELECT hex(${s}) AS h, length(${s}) AS n`.text);
        expect(row!.h).toBe(hex(s));
        expect(Number(row!.n)).toBe(Buffer.byteLength(s));
      }),
      { numRuns: 300 },
    );
  });

  it('stores and reads back exactly the bound string through INSERT ... VALUES', async () => {
    const values = fc.sample(hostile, 200);
    values.push('', "'", '\\', '\0', 'x'.repeat(10_240));
    const table = qualified(database, 'strings');
    for (let i = 0; i < values.length; i += 50) {
      const tuples = join(values.slice(i, i + 50).map((v, j) => sql`(${i + j}, ${v})`), ', ');
      await ch.command({ query: sql`INSERT INTO ${table} (id, v) VALUES ${tuples}`.text });
    }
    const rows = await queryRows<{ id: number; h: string }>(ch, sql`SELECT id, hex(v) AS h FROM ${table} ORDER BY id`.text);
    expect(rows).toHaveLength(values.length);
    rows.forEach((r) => expect(r.h, `value #${r.id}`).toBe(hex(values[Number(r.id)]!)));
  });
});
