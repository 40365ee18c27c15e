/**
 * Cloud Tasks' retry schedule, shared by queue adapters: the first retry waits `minBackoffMs`, the
 * wait doubles `maxDoublings` times, then grows linearly by the last doubled step, capped at
 * `maxBackoffMs`. Example (10 s, 300 s, 3 doublings): 10, 20, 40, 80, 160, 240, 300, 300 s.
 */
import type { RetryPolicy, TaskContext } from "./task-queue";

/** Delay before retry number `retry` (1 = the first retry, after the first failed attempt). */
export function retryBackoffMs(policy: RetryPolicy, retry: number): number {
  const k = Math.max(0, retry - 1);
  const doublings = Math.max(0, policy.maxDoublings);
  const delay = k <= doublings ? policy.minBackoffMs * 2 ** k : policy.minBackoffMs * 2 ** doublings * (k - doublings + 1);
  return Math.min(policy.maxBackoffMs, Math.max(policy.minBackoffMs, delay));
}

/** True when attempt `retryCount` (0-based) is the last one the policy allows; negative maxAttempts = unlimited. */
export function isLastAttempt(policy: RetryPolicy, retryCount: number): boolean {
  return policy.maxAttempts >= 0 && retryCount + 1 >= policy.maxAttempts;
}

/** Cloud Tasks' task-name alphabet and length. */
export const TASK_ID_PATTERN = /^[A-Za-z0-9_-]{1,500}$/;

/** How long Cloud Tasks keeps a finished or deleted task's name reserved (about an hour). */
export const DEFAULT_ID_REUSE_WINDOW_MS = 60 * 60_000;

/** What a queue tells the handler of attempt `retryCount` under `policy` (shared by the adapters). */
export function deliveryContext(policy: RetryPolicy, retryCount: number, taskId: string): TaskContext {
  return {
    retryCount,
    isLastAttempt: isLastAttempt(policy, retryCount),
    taskId,
    maxAttempts: policy.maxAttempts,
    retryDelayMs: retryBackoffMs(policy, retryCount + 1),
  };
}
