import { describe, expect, it } from 'vitest';
import { parseInject } from './chains.ts';
import { createRng } from './rng.ts';

describe('parseInject', () => {
  it('reads chain[:count]', () => {
    expect(parseInject('exfil')).toEqual({ type: 'exfil', count: 1 });
    expect(parseInject('rug-pull:3')).toEqual({ type: 'rug-pull', count: 3 });
  });
  it('rejects unknown chains and bad counts', () => {
    expect(() => parseInject('ddos')).toThrow(/unknown chain/);
    expect(() => parseInject('exfil:0')).toThrow(/bad count/);
    expect(() => parseInject('exfil:x')).toThrow(/bad count/);
  });
});

describe('createRng', () => {
  it('repeats for a seed, and forks are independent of later draws', () => {
    const a = createRng(7);
    const b = createRng(7);
    expect(Array.from({ length: 5 }, () => a.next())).toEqual(Array.from({ length: 5 }, () => b.next()));
    const fa = a.fork('x');
    const fb = b.fork('x');
    a.next();
    expect(fa.hex(16)).toBe(fb.hex(16));
  });
  it('draws Poisson counts with about the asked mean', () => {
    const r = createRng(1);
    const n = 5_000;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += r.poisson(6);
    expect(sum / n).toBeGreaterThan(5.7);
    expect(sum / n).toBeLessThan(6.3);
  });
});
