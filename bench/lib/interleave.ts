// Side-by-side comparisons run interleaved, A, B, A, B, … for several rounds, so a change in the
// machine's load during the run hits both sides instead of whichever ran second.

export interface Side<T> {
  name: string;
  run: (round: number) => Promise<T>;
}

export interface InterleavedResult<T> {
  /** One entry per round, each side's result by name, in the order they ran. */
  rounds: Record<string, T>[];
}

/** The order of runs: round r runs every side once; odd rounds reverse the order so neither side always goes first. */
export function interleavedOrder(sides: number, rounds: number, alternate = true): [round: number, side: number][] {
  const out: [number, number][] = [];
  for (let r = 0; r < rounds; r++) {
    const order = Array.from({ length: sides }, (_, i) => i);
    if (alternate && r % 2 === 1) order.reverse();
    for (const s of order) out.push([r, s]);
  }
  return out;
}

/** Runs the sides interleaved for `rounds` rounds; `alternate: false` keeps A, B, A, B instead of A, B, B, A. */
export async function runInterleaved<T>(sides: Side<T>[], rounds: number, opts: { alternate?: boolean } = {}): Promise<InterleavedResult<T>> {
  const results: Record<string, T>[] = Array.from({ length: rounds }, () => ({}));
  for (const [r, s] of interleavedOrder(sides.length, rounds, opts.alternate ?? false)) {
    const side = sides[s]!;
    results[r]![side.name] = await side.run(r);
  }
  return { rounds: results };
}
