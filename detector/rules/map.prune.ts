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

/**
 * For a map of event times kept in order of use (a used key is deleted and set again): deletes
 * entries from the front, the least recently used, while there are more than `max` or their time is
 * before `beforeTs`. Takes numbers, not a predicate: a closure over the caller's locals would make
 * each call allocate, and callers run per event.
 */
export function pruneOldest<K>(map: Map<K, number>, max: number, beforeTs = -Infinity): void {
  for (const key of map.keys()) {
    if (map.size > max || map.get(key)! < beforeTs) map.delete(key);
    else break;
  }
}
