// Per-key buffers drop their oldest items from the front. `splice(0, n)` would allocate an array of
// the dropped items on every drop; this moves the rest down in place.

/** Removes the first `n` items of `array`, in place. */
export function cutFront<T>(array: T[], n: number): void {
  array.copyWithin(0, n);
  array.length -= n;
}
