/**
 * The engine's side of the governor contract: acquire a permit, wait in-process only briefly (a
 * reservation or a concurrency slot within `maxWaitMs`), make the call, report it. When nothing is
 * free soon enough the call is not made and a `GovernorDeferral` (a RetryableError "rate_limited"
 * carrying the delay) is thrown: the node fails retryably WITHOUT in-process retry, so the row is
 * checkpointed and handed back to the task queue, which retries it after `retryAfterMs` instead of
 * holding an instance idle.
 */
import { RetryableError } from "../errors";
import type { Clock } from "../ports/clock";
import type { CallKind, CallOutcome, Governor, JobCallLimits, Permit } from "./port";

/** No AI call was made: the governor had no permit within the wait budget. */
export class GovernorDeferral extends RetryableError {
  constructor(
    retryAfterMs: number,
    readonly reason: string,
  ) {
    super("rate_limited", `Waiting for the model's quota (${reason.replace("_", " ")}); the row will continue later`, Math.max(1, Math.ceil(retryAfterMs)));
  }
}

export interface GovernedCall<T> {
  governor: Governor;
  clock: Clock;
  signal: AbortSignal;
  deadline?: number;
  /** In-process wait budget for one call (reservation delay plus concurrency polling). */
  maxWaitMs: number;
  model: string;
  kind: CallKind;
  estimatedTokens: number;
  job?: { id: string; limits?: JobCallLimits };
  run: () => Promise<T>;
  /** Input tokens the provider counted, from the result. */
  tokensOf: (result: T) => number | undefined;
}

/** Makes one governed call (see the module header). */
export async function governedCall<T>(c: GovernedCall<T>): Promise<T> {
  const permit = await acquireWithin(c);
  let outcome: CallOutcome = "error";
  let actualTokens: number | undefined;
  let retryAfterMs: number | undefined;
  try {
    const result = await c.run();
    outcome = "ok";
    actualTokens = c.tokensOf(result);
    return result;
  } catch (err) {
    if (err instanceof RetryableError && err.code === "rate_limited") {
      outcome = "rate_limited";
      retryAfterMs = err.retryAfterMs;
    }
    throw err;
  } finally {
    const report = { permit, outcome, ...(actualTokens !== undefined ? { actualTokens } : {}), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    await c.governor.report(report).catch(() => undefined);
  }
}

/** Loops over acquire until granted (and its reservation waited out) or the budget is spent. */
async function acquireWithin<T>(c: GovernedCall<T>): Promise<Permit> {
  const started = c.clock.now();
  // Bounded: every turn either returns, throws, or sleeps at least 1 ms of a finite budget (a
  // reservation handed back after its wait slept its delay, which is at least 1 ms).
  for (;;) {
    const now = c.clock.now();
    const untilDeadline = c.deadline === undefined ? Infinity : c.deadline - now;
    const budget = Math.max(0, Math.min(c.maxWaitMs - (now - started), untilDeadline));
    const answer = await c.governor.acquire({
      model: c.model,
      kind: c.kind,
      estimatedTokens: c.estimatedTokens,
      maxDelayMs: budget,
      ...(c.job ? { job: c.job } : {}),
      ...(c.deadline !== undefined ? { holdUntil: c.deadline } : {}),
    });
    switch (answer.kind) {
      case "granted":
        if (answer.delayMs <= 0) return answer.permit;
        await sleepOrRelease(c, answer.permit, answer.delayMs);
        if (await confirmed(c, answer.permit)) return answer.permit;
        // A 429 came while this start was waiting: the permit goes back unused and the call asks
        // again, so it starts after the Retry-After (or defers) instead of hitting the same 429.
        await c.governor.report({ permit: answer.permit, outcome: "not_called" }).catch(() => undefined);
        break;
      case "defer":
        throw new GovernorDeferral(answer.retryAfterMs, answer.reason);
      case "wait":
        if (answer.waitMs > budget) throw new GovernorDeferral(Math.max(answer.waitMs, c.maxWaitMs), answer.reason);
        await c.clock.sleep(Math.max(1, answer.waitMs), c.signal);
    }
  }
}

/** Whether a reservation may still start now (a governor without `confirm` always says yes). */
async function confirmed<T>(c: GovernedCall<T>, permit: Permit): Promise<boolean> {
  if (!c.governor.confirm) return true;
  return c.governor.confirm(permit).catch(() => true);
}

/** Waits out a reservation; if the row stops meanwhile, the permit goes back unused. */
async function sleepOrRelease<T>(c: GovernedCall<T>, permit: Permit, ms: number): Promise<void> {
  try {
    await c.clock.sleep(ms, c.signal);
  } catch (err) {
    await c.governor.report({ permit, outcome: "not_called" }).catch(() => undefined);
    throw err;
  }
}

/** Rough input-token count of a prompt (about 4 characters per token), used before the call. */
export function estimateTokens(...texts: Array<string | undefined>): number {
  const chars = texts.reduce((n, t) => n + (t?.length ?? 0), 0);
  return Math.max(1, Math.ceil(chars / 4));
}
