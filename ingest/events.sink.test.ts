import { describe, expect, it } from 'vitest';
import { classifyInsertError } from './events.sink.ts';

const chError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('classifyInsertError', () => {
  it('splits batches ClickHouse refuses for their data', () => {
    expect(classifyInsertError(chError('27', 'Cannot parse input: expected ,'))).toBe('split');
    expect(classifyInsertError(chError('117', 'Incorrect data in row 3'))).toBe('split');
    expect(classifyInsertError(chError('252', 'Too many partitions for single INSERT block (more than 100)'))).toBe('split');
  });

  it("reads the code from ClickHouse 18.16's messages, which the client leaves without one", () => {
    const old = (message: string) => Object.assign(new Error(message), { code: undefined });
    expect(classifyInsertError(old('Code: 27, e.displayText() = DB::Exception: Cannot parse input: expected \\t before: x\\n: (at row 1)\n\nRow 1: ...'))).toBe('split');
    expect(classifyInsertError(old('Code: 26, e.displayText() = DB::Exception: Cannot parse quoted string: expected closing quote: (at row 1)\n, e.what() = DB::Exception\n'))).toBe('split');
    expect(classifyInsertError(old("Code: 60, e.displayText() = DB::Exception: Table db.events doesn't exist., e.what() = DB::Exception\n"))).toBe('retry');
  });

  it('waits when the table is older than ingest (a column it writes is missing), instead of dead-lettering every row', () => {
    expect(classifyInsertError(chError('117', 'Unknown field found while parsing JSONEachRow format: fp_args: (at row 1)'))).toBe('retry');
  });

  it('waits on everything else: unreachable, overloaded, misconfigured', () => {
    expect(classifyInsertError(chError('252', 'Too many parts (300). Merges are processing significantly slower than inserts'))).toBe('retry');
    expect(classifyInsertError(chError('60', "Table db.events doesn't exist"))).toBe('retry');
    expect(classifyInsertError(new Error('connect ECONNREFUSED 127.0.0.1:8123'))).toBe('retry');
  });
});
