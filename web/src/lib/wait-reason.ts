/**
 * Why rows of a running batch wait: the job lists the rows whose last attempt failed retryably
 * (`Job.retrying`). The batch view shows one banner with the most common reason and each row shows
 * "retrying" with its attempt and next try. Pure: time comes in as an argument.
 */
import type { RowWait } from "@core/batch/model";
import type { ErrorCode } from "@core/errors";
import { formatDuration } from "./progress";

/** A short reason for a retryable error code, naming the provider ("Gemini rate limit"). */
export function reasonFor(code: ErrorCode, provider: string): string {
  const ai = provider.toLowerCase().includes("gemini") ? "Gemini" : "the AI provider";
  switch (code) {
    case "rate_limited":
      return `${ai === "Gemini" ? "Gemini" : "AI provider"} rate limit`;
    case "unavailable":
      return `Could not reach ${ai}`;
    case "timeout":
      return `${ai === "Gemini" ? "Gemini" : "The AI provider"} did not answer in time`;
    default:
      return "A temporary error";
  }
}

export interface WaitSummary {
  rows: number;
  reason: string;
  /** The latest error message among the waiting rows (safe to show). */
  lastMessage: string;
  /** Earliest next try, or null when unknown. */
  nextAttemptAt: number | null;
}

/** One summary for the banner: the most frequent code wins (ties: the most recent wait). */
export function summarizeWaits(waits: readonly RowWait[], provider: string): WaitSummary | null {
  if (waits.length === 0) return null;
  const counts = new Map<ErrorCode, number>();
  for (const w of waits) counts.set(w.error.code, (counts.get(w.error.code) ?? 0) + 1);
  const latest = [...waits].sort((a, b) => b.at - a.at)[0] as RowWait;
  let code = latest.error.code;
  for (const [c, n] of counts) if (n > (counts.get(code) ?? 0)) code = c;
  const next = waits.map((w) => w.nextAttemptAt).filter((t): t is number => t !== null);
  return {
    rows: waits.length,
    reason: reasonFor(code, provider),
    lastMessage: latest.error.message,
    nextAttemptAt: next.length > 0 ? Math.min(...next) : null,
  };
}

/** "next try in 12s", "next try due now", "" when unknown. */
export function nextTryText(nextAttemptAt: number | null, now: number): string {
  if (nextAttemptAt === null) return "";
  const ms = nextAttemptAt - now;
  return ms <= 500 ? "next try due now" : `next try in ${formatDuration(ms)}`;
}
