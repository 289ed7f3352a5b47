// Sweeps of expired state walk maps of up to a million entries (users, keys, stories). A
// `for (const [k, v] of map)` loop makes a [key, value] array per entry; `forEach` hands both over
// without one, so a sweep leaves no garbage behind but the entries it removes.

/** Deletes the entries `drop` picks (deleting while iterating is safe for a Map); returns how many went. */
export function pruneMap<K, V>(map: Map<K, V>, drop: (value: V, key: K) => boolean): number {
  let n = 0;
  map.forEach((value, key) => {
    if (drop(value, key)) {
      map.delete(key);
      n++;
    }
  });
  return n;
}
