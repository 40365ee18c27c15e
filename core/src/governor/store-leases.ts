/**
 * The two store transactions of the store-backed governor, each on ONE document:
 * - `leaseRequests`: take up to `want` requests of a window (and of the provider day) from a
 *   shard document; writes nothing when the shard has nothing to give;
 * - `leaseSlots`: set this instance's concurrency lease on a key to the slots it needs, bounded by
 *   the key's limit minus the live leases of the other instances.
 * The transaction functions have no side effects (the store may run them more than once).
 */
import type { DocumentStore } from "../ports/store";
import { ShardDoc, SlotDoc, shardDocPath, slotDocPath } from "./store-docs";

export interface RequestLeaseInput {
  model: string;
  shard: number;
  windowStart: number;
  /** Windows that started before this have ended: dropped from the document. */
  liveFrom: number;
  /** Requests this shard may hand out in the window (null = no rate limit). */
  windowCapacity: number | null;
  day: number;
  /** Requests this shard may hand out in the provider day (null = no daily limit). */
  dayCapacity: number | null;
  want: number;
  /** Requests leased earlier but never used: given back to the day's count. */
  dayCredit: number;
}

export interface RequestLease {
  granted: number;
  /** True when the shard's daily share is used up. */
  dayFull: boolean;
  /** The credit the commit consumed. */
  credited: number;
}

export async function leaseRequests(store: DocumentStore, i: RequestLeaseInput): Promise<RequestLease> {
  const path = shardDocPath(i.model, i.shard);
  return store.runTransaction(async (tx) => {
    const doc = await tx.get(path);
    const before = doc ? ShardDoc.parse(doc.data) : { windows: {}, day: i.day, dayGranted: 0 };
    const sameDay = before.day === i.day;
    const credited = sameDay ? Math.min(i.dayCredit, before.dayGranted) : 0;
    const dayGranted = sameDay ? before.dayGranted - credited : 0;
    const key = String(i.windowStart);
    const window = before.windows[key] ?? { capacity: i.windowCapacity, granted: 0 };
    const windowLeft = window.capacity === null ? Infinity : window.capacity - window.granted;
    const dayLeft = i.dayCapacity === null ? Infinity : i.dayCapacity - dayGranted;
    const granted = Math.max(0, Math.min(i.want, windowLeft, dayLeft));
    if (granted === 0 && credited === 0) return { granted: 0, dayFull: dayLeft <= 0, credited: 0 };
    // Windows that have ended are dead: keep the document small.
    const windows = Object.fromEntries(Object.entries(before.windows).filter(([start]) => Number(start) >= i.liveFrom));
    windows[key] = { capacity: window.capacity, granted: window.granted + granted };
    tx.set(path, { windows, day: i.day, dayGranted: dayGranted + granted });
    return { granted, dayFull: dayLeft - granted <= 0, credited };
  });
}

/**
 * Sets this instance's lease on `key` to `want` slots (at least `inUse`, which it already holds),
 * as far as `limit` minus the other instances' live leases allows. Returns the slots now leased.
 */
export async function leaseSlots(
  store: DocumentStore,
  o: { key: string; instanceId: string; limit: number; inUse: number; want: number; now: number; until: number },
): Promise<number> {
  const path = slotDocPath(o.key);
  return store.runTransaction(async (tx) => {
    const doc = await tx.get(path);
    const leases = doc ? SlotDoc.parse(doc.data).leases : {};
    let others = 0;
    const live: SlotDoc["leases"] = {};
    for (const [id, lease] of Object.entries(leases)) {
      if (id === o.instanceId || lease.until <= o.now) continue;
      others += lease.n;
      live[id] = lease;
    }
    const n = Math.max(o.inUse, Math.min(o.want, o.limit - others));
    const mine = leases[o.instanceId];
    // Nothing to change (no more slots free, no renewal due): no write.
    if (mine && mine.n === n && mine.until >= o.until) return n;
    tx.set(path, { leases: { ...live, [o.instanceId]: { n, until: o.until } } });
    return n;
  });
}
