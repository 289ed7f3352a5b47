// The engine's per-user state, found by tenant and user id on every event. User ids are nearly
// always unique across tenants (they are e-mail addresses), so one map keyed by the user id alone
// answers almost every lookup with a single hash of a string the event already carries; the rare
// id used in two tenants goes to a second map keyed by both.
//
// Idle users go once their newest event is older than the engine's window. Walking every user for
// that, each minute of event time, cost the detector about 3.5 % of its time with 100,000 users (and
// grows with the users, active or not), so each user is also filed under the minute of its newest
// event, and expiry reads only the minutes that ended before the cut.
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
  /**
   * Users by the minute of their newest event. A user moving on to a later minute is filed there too
   * and left in the older list, which skips it (its `minute` no longer matches).
   */
  private readonly byMinute = new Map<number, UserState[]>();

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

  /** Notes an event of `u` at `ts`, which is not older than its newest: `ts` becomes its newest. */
  setNewest(u: UserState, ts: number): void {
    u.lastTs = ts;
    const minute = Math.floor(ts / MINUTE_MS);
    if (minute === u.minute) return;
    u.minute = minute;
    const list = this.byMinute.get(minute);
    if (list === undefined) this.byMinute.set(minute, [u]);
    else list.push(u);
  }

  /** Removes the users whose newest event is older than `beforeTs`; returns how many went. */
  removeIdle(beforeTs: number): number {
    let removed = 0;
    for (const [minute, list] of this.byMinute) {
      const start = minute * MINUTE_MS;
      if (start >= beforeTs) continue;
      // A minute that ended before the cut loses all of its users; the minute the cut falls in, some.
      let kept = 0;
      for (let i = 0; i < list.length; i++) {
        const u = list[i]!;
        if (u.minute !== minute) continue;
        if (u.lastTs < beforeTs) {
          this.remove(u);
          removed++;
        } else list[kept++] = u;
      }
      if (kept === 0) this.byMinute.delete(minute);
      else list.length = kept;
    }
    return removed;
  }

  /** Removes the users `drop` says to; returns how many went. */
  removeWhere(drop: (u: UserState) => boolean): number {
    const gone = (u: UserState) => {
      if (!drop(u)) return false;
      u.minute = NaN;
      return true;
    };
    return pruneMap(this.byId, gone) + pruneMap(this.shared, gone);
  }

  *values(): IterableIterator<UserState> {
    yield* this.byId.values();
    yield* this.shared.values();
  }

  clear(): void {
    this.byId.clear();
    this.shared.clear();
    this.byMinute.clear();
  }

  private remove(u: UserState): void {
    if (this.byId.get(u.user) === u) this.byId.delete(u.user);
    else this.shared.delete(u.tenant + SEP + u.user);
    u.minute = NaN;
  }
}

const MINUTE_MS = 60_000;

function put(map: Map<string, UserState>, key: string, tenant: string, user: string, slotCount: number): UserState {
  // Slots sized once: filling them one rule at a time would regrow the array as it goes.
  const made: UserState = { tenant, user, lastTs: -Infinity, minute: NaN, ids: [], idPos: 0, slots: new Array<unknown>(slotCount), baseline: undefined, baselineOf: null, prov: null, recentDestinations: null, actor: null };
  map.set(key, made);
  return made;
}
