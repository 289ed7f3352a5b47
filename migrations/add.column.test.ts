import { describe, expect, it } from 'vitest';
import { parseAddColumn } from './add.column.ts';

describe('parseAddColumn', () => {
  it('splits an add-column-if-missing statement and drops the clause 18.16 lacks', () => {
    expect(parseAddColumn('ALTER TABLE `db`.events ADD COLUMN IF NOT EXISTS fp_args Array(String)')).toEqual({
      database: 'db',
      table: 'events',
      column: 'fp_args',
      plain: 'ALTER TABLE `db`.events ADD COLUMN fp_args Array(String)',
    });
    expect(parseAddColumn('alter table db.`events`\n  add column if not exists `k` Array(Array(String))')?.plain).toBe('alter table db.`events`\n  add column `k` Array(Array(String))');
  });

  it('leaves other statements alone', () => {
    expect(parseAddColumn('ALTER TABLE db.events ADD COLUMN x String')).toBeNull();
    expect(parseAddColumn('ALTER TABLE db.events DROP PARTITION 20250101')).toBeNull();
    expect(parseAddColumn('CREATE TABLE IF NOT EXISTS db.t (a String) ENGINE = MergeTree() ORDER BY a')).toBeNull();
  });

  it('refuses several columns in one statement (a half-applied one could not be re-run)', () => {
    expect(() => parseAddColumn('ALTER TABLE db.events ADD COLUMN IF NOT EXISTS a String, ADD COLUMN IF NOT EXISTS b String')).toThrow(/one ADD COLUMN/);
  });
});
