/**
 * Cloud Tasks' retry schedule: the delay doubles `maxDoublings` times from `minBackoffMs`, then
 * grows linearly by that last doubled step, capped at `maxBackoffMs`. With min 10 s, max 300 s and
 * 3 doublings: 10, 20, 40, 80, 160, 240, 300, 300 ... seconds.
 */
import type { RetryPolicy } from "@flowcraft/core";

/** Delay before retry number `retry` (0 = the first retry). */
export function backoffDelay(policy: RetryPolicy, retry: number): number {
  const doublings = Math.max(0, policy.maxDoublings);
  const delay =
    retry <= doublings ? policy.minBackoffMs * 2 ** retry : policy.minBackoffMs * 2 ** doublings * (retry - doublings + 1);
  return Math.min(policy.maxBackoffMs, delay);
}
