// A seedable random source for the simulator: the same seed and options give the same traffic,
// byte for byte, so tests, benchmarks and precision/recall reports are reproducible.

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  int(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Picks a key by weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K;
  hex(n: number): string;
  bytes(n: number): Uint8Array;
  /** Poisson-distributed count with mean `lambda` (Knuth; fine for the small means used here). */
  poisson(lambda: number): number;
  /** Log-normal around `median` with spread `sigma` (natural log units). */
  logNormal(median: number, sigma: number): number;
  /** An independent stream derived from this one (so adding draws in one part does not shift another). */
  fork(label: string): Rng;
}

/** mulberry32: tiny, fast, seedable; for test data, never for secrets. */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const rng: Rng = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)]!,
    weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
      const entries = Object.entries(weights) as [K, number][];
      const total = entries.reduce((s, [, w]) => s + w, 0);
      let x = next() * total;
      for (const [k, w] of entries) if ((x -= w) < 0) return k;
      return entries[entries.length - 1]![0];
    },
    hex: (n) => {
      let s = '';
      for (let i = 0; i < n; i++) s += Math.floor(next() * 16).toString(16);
      return s;
    },
    bytes: (n) => Uint8Array.from({ length: n }, () => Math.floor(next() * 256)),
    poisson(lambda) {
      if (lambda <= 0) return 0;
      const l = Math.exp(-lambda);
      let k = 0;
      let p = 1;
      do {
        k++;
        p *= next();
      } while (p > l);
      return k - 1;
    },
    logNormal(median, sigma) {
      // Box-Muller for one standard normal draw.
      const u = 1 - next();
      const v = next();
      const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
      return median * Math.exp(sigma * z);
    },
    fork(label) {
      let h = Math.floor(next() * 4_294_967_296) >>> 0;
      for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
      return createRng(h);
    },
  };
  return rng;
}
