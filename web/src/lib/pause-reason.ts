/**
 * What the paused banner says: why the batch is paused, in words, and what resume will do. Pure.
 * A breaker pause names its cause from the error it recorded (`pauseDetail`).
 */
import type { PausedReason } from "@core/batch/model";
import type { ErrorInfo } from "@core/errors";

export interface PauseText {
  /** One sentence: why it is paused. */
  title: string;
  /** The recorded error message (safe to show), when the breaker or the quota paused it. */
  cause: string | null;
  /** What to do, and what resume then does. */
  resume: string;
}

/** The breaker's cause in words, from the code of the error it saw repeat. */
export function breakerCause(detail: ErrorInfo | null): string {
  switch (detail?.code) {
    case "auth":
      return "the AI provider refused the API key";
    case "bad_request":
      return "the AI provider rejected the request (for example an unknown model)";
    case "safety_blocked":
      return "the safety filters blocked a prompt every row shares";
    case "unavailable":
    case "timeout":
      return "the AI provider has been unreachable for minutes";
    case "rate_limited":
      return "the AI provider's quota is exhausted";
    default:
      return "rows kept failing with the same error";
  }
}

/** A few words for lists: who or what paused the batch. */
export function pausedBy(reason: PausedReason | null): string {
  switch (reason) {
    case "budget":
      return "budget reached";
    case "circuit":
      return "circuit breaker";
    case "quota":
      return "daily quota";
    case "user":
    case null:
      return "by you";
  }
}

export function pauseText(job: { pausedReason: PausedReason | null; pauseDetail: ErrorInfo | null; rowsLeft: number }): PauseText {
  const left = `the ${job.rowsLeft.toLocaleString()} row${job.rowsLeft === 1 ? "" : "s"} left`;
  const cause = job.pauseDetail?.message ?? null;
  switch (job.pausedReason) {
    case "budget":
      return { title: "Paused: the batch reached its budget.", cause, resume: `Raise the budget and resume to run ${left}.` };
    case "circuit":
      return {
        title: `Paused by the circuit breaker: ${breakerCause(job.pauseDetail)}.`,
        cause,
        resume: `Fix the cause (for example the API key or the model), then resume to run ${left}.`,
      };
    case "quota":
      return { title: "Paused: the AI provider's daily quota is exhausted.", cause, resume: `Resume once the quota resets to run ${left}.` };
    case "user":
    case null:
      return { title: "Paused by you.", cause: null, resume: `Resume runs ${left}.` };
  }
}
