/**
 * In-process retry of ONE AI node for brief blips (see core/ARCHITECTURE.md, "Retry layers"): only
 * `RetryableError`s are retried, at most `maxAttempts` calls, with exponential backoff and jitter
 * derived from the injected clock (deterministic for a given clock), waiting at least the
 * provider's `retryAfterMs`. A wait longer than `maxDelayMs`, or one that would pass the row's
 * deadline, is not taken here: the node fails retryably and the task queue retries the row later.
 */
import { RetryableError } from "../errors";
import { GovernorDeferral } from "../governor/governed-call";
import type { Logger } from "../logger";
import type { Clock } from "../ports/clock";

export interface NodeRetryPolicy {
  /** Calls in total, the first included (1 = no retry). */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_NODE_RETRY: NodeRetryPolicy = { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 8_000 };

export type RetryOutcome<T> = { ok: true; value: T; attempts: number } | { ok: false; error: unknown; attempts: number };

export interface RetryContext {
  policy: NodeRetryPolicy;
  clock: Clock;
  logger: Logger;
  /** Stable key for the jitter, e.g. the node id. */
  key: string;
  signal: AbortSignal;
  deadline?: number;
}

/** FNV-1a over the text, scaled to [0, 1). */
function unitHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 0x1_0000_0000;
}

/**
 * The wait before call `attempt + 1`: "equal jitter" over `base * 2^(attempt-1)` capped at
 * `maxDelayMs`, raised to `retryAfterMs` when the provider asked for longer.
 */
export function backoffDelay(policy: NodeRetryPolicy, attempt: number, jitterSeed: string, retryAfterMs?: number): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.floor(exp / 2 + (unitHash(`${jitterSeed}:${attempt}`) * exp) / 2);
  return Math.max(jittered, retryAfterMs ?? 0);
}

/** A governor deferral already waited in-process as long as allowed: the queue takes it from here. */
function worthRetrying(err: unknown, signal: AbortSignal): err is RetryableError {
  return err instanceof RetryableError && !(err instanceof GovernorDeferral) && err.code !== "cancelled" && !signal.aborted;
}

/** Calls `fn` until it succeeds, fails permanently, or the policy, deadline or signal says stop. */
export async function withNodeRetry<T>(fn: (attempt: number) => Promise<T>, ctx: RetryContext): Promise<RetryOutcome<T>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { ok: true, value: await fn(attempt), attempts: attempt };
    } catch (err) {
      if (!worthRetrying(err, ctx.signal) || attempt >= ctx.policy.maxAttempts) return { ok: false, error: err, attempts: attempt };
      const delayMs = backoffDelay(ctx.policy, attempt, `${ctx.key}:${ctx.clock.now()}`, err.retryAfterMs);
      const tooLong = (err.retryAfterMs ?? 0) > ctx.policy.maxDelayMs;
      const pastDeadline = ctx.deadline !== undefined && ctx.clock.now() + delayMs >= ctx.deadline;
      if (tooLong || pastDeadline) return { ok: false, error: err, attempts: attempt };
      ctx.logger.warn({ nodeId: ctx.key, attempt, code: err.code, delayMs }, "node retry");
      try {
        await ctx.clock.sleep(delayMs, ctx.signal);
      } catch {
        return { ok: false, error: err, attempts: attempt };
      }
    }
  }
}
