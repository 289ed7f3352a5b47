import { describe, expect, it } from 'vitest';
import { decodeEvent } from '../../schemas/event.decode.ts';
import { DEFAULT_EVENT_MAX_BYTES } from '../../schemas/event.v1.ts';
import { invalidKinds, makeInvalidInputs } from './invalid.corpus.ts';

describe('invalid input corpus', () => {
  it('every one of 1000 inputs is rejected, and every kind appears', () => {
    const items = makeInvalidInputs(1000, DEFAULT_EVENT_MAX_BYTES);
    expect(items).toHaveLength(1000);
    const accepted = items.filter((i) => decodeEvent(i.bytes, DEFAULT_EVENT_MAX_BYTES).ok).map((i) => i.kind);
    expect(accepted).toEqual([]);
    expect(new Set(items.map((i) => i.kind))).toEqual(new Set(invalidKinds));
  });

  it('is still rejected when the size limit is too generous to help', () => {
    const max = 4 * 1024 * 1024;
    const items = makeInvalidInputs(300, max);
    expect(items.filter((i) => decodeEvent(i.bytes, max).ok).map((i) => i.kind)).toEqual([]);
  });

  it('is deterministic', () => {
    const a = makeInvalidInputs(100);
    const b = makeInvalidInputs(100);
    expect(a.map((i) => i.bytes.toString('base64'))).toEqual(b.map((i) => i.bytes.toString('base64')));
  });
});
