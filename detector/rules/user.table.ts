// The engine's per-user state, found by tenant and user id on every event. User ids are nearly
// always unique across tenants (they are e-mail addresses), so one map keyed by the user id alone
// answers almost every lookup with a single hash of a string the event already carries; the rare
// id used in two tenants goes to a second map keyed by both.
import { pruneMap } from './map.prune.ts';
import type { UserState } from './rule.types.ts';

const SEP = '\u0001';

export class UserTable {
  /** Rules that keep per-user state: each user's slots array is made this long at once. */
  private readonly slotCount: number;
  constructor(slotCount: number) {
    this.slotCount = slotCount;
  }

  /** By user id: the state of the first tenant seen with that id. */
  private readonly byId = new Map<string, UserState>();
  /** By tenant + SEP + user id: the same id in other tenants. */
  private readonly shared = new Map<string, UserState>();

  get size(): number {
    return this.byId.size + this.shared.size;
  }

  /** The user's state, made when new. */
  get(tenant: string, user: string): UserState {
    const first = this.byId.get(user);
    if (first?.tenant === tenant) return first;
    // Another tenant's user holds the id, or the id went to the second map earlier.
    if (first !== undefined || this.shared.size > 0) {
      const key = tenant + SEP + user;
      const other = this.shared.get(key);
      if (other !== undefined) return other;
      if (first !== undefined) return put(this.shared, key, tenant, user, this.slotCount);
    }
    return put(this.byId, user, tenant, user, this.slotCount);
  }

  /** Removes the users `drop` says to; returns how many went. */
  removeWhere(drop: (u: UserState) => boolean): number {
    return pruneMap(this.byId, drop) + pruneMap(this.shared, drop);
  }

  *values(): IterableIterator<UserState> {
    yield* this.byId.values();
    yield* this.shared.values();
  }

  clear(): void {
    this.byId.clear();
    this.shared.clear();
  }
}

function put(map: Map<string, UserState>, key: string, tenant: string, user: string, slotCount: number): UserState {
  // Slots sized once: filling them one rule at a time would regrow the array as it goes.
  const made: UserState = { tenant, user, lastTs: -Infinity, ids: [], idPos: 0, slots: new Array<unknown>(slotCount), baseline: undefined, baselineOf: null, prov: null, recentDestinations: null, actor: null };
  map.set(key, made);
  return made;
}
