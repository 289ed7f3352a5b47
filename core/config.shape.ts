// Builds the shaped configuration (`config.ingest.workers`, ...) from the settings themselves: each
// setting names its place in it (`path`) and, when the value needs one, a `shape` (a path resolved
// against the project folder, a key decoded); the few parts made of several settings (Kafka SASL
// and TLS, the API's reader) are built by one function each, named by the path their settings
// share. The type of the result is inferred from the same declarations, so a setting is written
// once and every caller keeps typed access.
import type { z } from 'zod';

export interface SettingSpec {
  /** Where the value goes in the shaped config, dot-separated; absent: it only changes other settings. */
  readonly path?: string;
  readonly schema: z.ZodType;
  /** One line for the README's settings table. */
  readonly doc: string;
  /** Never shown: `(hidden)` in errors and in `mcp-audit config`. */
  readonly secret?: boolean;
  /** Turns the parsed value into the shaped one; takes the schema's output (`ShapeMismatches` checks). */
  readonly shape?: (value: never) => unknown;
}

/** Builds one part of the shaped config from several parsed settings. */
export type Composite<E> = (env: E) => unknown;

type ValueOf<S> = S extends { shape: (value: never) => infer O } ? O : S extends { schema: infer Z extends z.ZodType } ? z.output<Z> : never;

/** Path to value type, for every setting with a path that no composite builds. */
type Leaves<S, C> = {
  [K in keyof S as S[K] extends { path: infer P extends string } ? (P extends keyof C ? never : P) : never]: ValueOf<S[K]>;
};

type Head<P extends string> = P extends `${infer H}.${string}` ? H : P;

/** `{ 'a.b': X, 'a.c': Y, d: Z }` to `{ a: { b: X, c: Y }, d: Z }`. */
type Nest<T> = {
  [H in Head<keyof T & string>]: H extends keyof T ? T[H] : Nest<{ [P in keyof T & string as P extends `${H}.${infer R}` ? R : never]: T[P] }>;
};

export type Shaped<S, C extends Record<string, Composite<never>>> = Nest<Leaves<S, C> & { [P in keyof C & string]: ReturnType<C[P]> }>;

/** Names of settings whose `shape` does not take what their schema gives; must be `never`. */
export type ShapeMismatches<S> = {
  [K in keyof S]: S[K] extends { schema: infer Z extends z.ZodType; shape: (value: infer V) => unknown } ? ([z.output<Z>] extends [V] ? never : K) : never;
}[keyof S];

function put(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  const last = parts.pop()!;
  let node = target;
  for (const p of parts) node = (node[p] ??= {}) as Record<string, unknown>;
  node[last] = value;
}

/** The shaped config from parsed settings (`env`, keyed by variable name). */
export function buildShaped<S extends Record<string, SettingSpec>, E extends { [K in keyof S]: unknown }, C extends Record<string, Composite<E>>>(
  settings: S,
  env: E,
  composites: C,
): Shaped<S, C> {
  const out: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(settings)) {
    if (s.path === undefined || Object.hasOwn(composites, s.path)) continue;
    const value = env[name as keyof S];
    put(out, s.path, s.shape ? (s.shape as (v: unknown) => unknown)(value) : value);
  }
  for (const [path, build] of Object.entries(composites)) put(out, path, build(env));
  return out as Shaped<S, C>;
}
