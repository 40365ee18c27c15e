/**
 * Capacity leases for a governor shared by many instances over a document store (Firestore):
 * the design is in core/ARCHITECTURE.md ("Governor on Firestore"). A model's request rate R is
 * split over S shard documents; an instance takes a LEASE of n requests from one shard for the
 * current window and grants permits from it in memory (the in-memory governor's GCRA does the
 * spacing). So a document write happens once per n calls, not per call, and no shard document is
 * written more than about once per second. Pure functions: the store adapter runs `takeLease` in
 * a transaction on the shard document.
 */

export interface LeasePlanInput {
  /** The model's effective requests per minute (the AIMD rate in force). */
  rpm: number;
  /** Most writes one document may take per second (Firestore's sustained guidance is ~1). */
  maxWritesPerDocPerSec?: number;
  /** Fewest calls one lease covers: 5 keeps governance at ≤ 0.2 writes per call. */
  minCallsPerLease?: number;
  /** Shortest lease window, ms. */
  minWindowMs?: number;
}

export interface LeasePlan {
  shards: number;
  /** Length of a shard's capacity window (and of a lease), ms. */
  windowMs: number;
  /** Requests one shard hands out per window. */
  perShardPerWindow: number;
  /** Requests one lease takes (a whole shard window at low rates). */
  callsPerLease: number;
  /** Lease writes per AI call at full rate. */
  writesPerCall: number;
  /** Lease writes per shard per second at full rate. */
  writesPerShardPerSec: number;
}

/** Sizes shards, windows and leases so both budgets hold at the given rate. */
export function planLeases(i: LeasePlanInput): LeasePlan {
  const maxW = i.maxWritesPerDocPerSec ?? 1;
  const minCalls = i.minCallsPerLease ?? 5;
  const perSec = i.rpm / 60;
  // Shards: enough that lease writes per shard stay ≤ maxW when every lease is minCalls long.
  const shards = Math.max(1, Math.ceil(perSec / (minCalls * maxW)));
  // Window: long enough that one shard's share of it is at least one full lease.
  const windowMs = Math.max(i.minWindowMs ?? 5_000, Math.ceil((minCalls * shards * 60_000) / i.rpm));
  const perShardPerWindow = Math.floor((i.rpm / shards) * (windowMs / 60_000));
  const callsPerLease = Math.max(minCalls, Math.min(perShardPerWindow, Math.ceil(minCalls * 2)));
  const leasesPerSec = perSec / callsPerLease;
  return { shards, windowMs, perShardPerWindow, callsPerLease, writesPerCall: 1 / callsPerLease, writesPerShardPerSec: leasesPerSec / shards };
}

/** A shard document: requests handed out in its current window. */
export interface ShardState {
  windowStart: number;
  granted: number;
}

/**
 * Takes up to `want` requests from the shard for the window containing `now`. Never hands out
 * more than `capacity` per window; an empty answer says when the next window opens.
 */
export function takeLease(
  shard: ShardState,
  o: { now: number; windowMs: number; capacity: number; want: number },
): { granted: number; shard: ShardState; retryAt: number } {
  const windowStart = Math.floor(o.now / o.windowMs) * o.windowMs;
  const current = shard.windowStart === windowStart ? shard : { windowStart, granted: 0 };
  const granted = Math.max(0, Math.min(o.want, o.capacity - current.granted));
  return { granted, shard: { windowStart, granted: current.granted + granted }, retryAt: granted > 0 ? o.now : windowStart + o.windowMs };
}
