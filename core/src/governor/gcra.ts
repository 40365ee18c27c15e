/**
 * GCRA (generic cell rate algorithm), the rate check behind both RPM and TPM: one number per limit,
 * the theoretical arrival time `tat`. A request conforms at `max(now, tat − burst)`; admitting it
 * moves `tat` to `max(tat, start) + weight · 60000/rate`. Since the same formula says exactly when
 * a request would conform, the governor hands out reservations (start in N ms) in arrival order
 * instead of making callers poll. Pure functions, time from the caller.
 */

export interface GcraInput {
  tat: number;
  now: number;
  /** Units per minute. */
  perMinute: number;
  /** Units of this request (1 for requests, tokens for TPM). */
  weight: number;
  /** Tolerated burst in ms of the rate (1,000 = one second's worth may start at once). */
  burstMs: number;
  /** No start before this time (Retry-After). */
  notBefore?: number;
}

/** Interval one unit occupies, in ms. */
export function unitMs(perMinute: number): number {
  return 60_000 / perMinute;
}

/** The earliest start for the request and the `tat` once it is admitted. */
export function gcraReserve(i: GcraInput): { startAt: number; tat: number } {
  const startAt = Math.max(i.now, i.tat - i.burstMs, i.notBefore ?? 0);
  return { startAt, tat: Math.max(i.tat, startAt) + i.weight * unitMs(i.perMinute) };
}
