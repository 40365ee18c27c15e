/**
 * The circuit breaker: a batch whose rows keep failing with the same PERMANENT, provider-wide cause
 * pauses itself instead of spending a call on every remaining row.
 *   - Causes (`breakerKey`): `auth` (a refused or missing key), `model_not_found`, `quota_exhausted`
 *     (a spent per-day quota: reason `quota`), and `safety_blocked` on a node whose prompt does not
 *     depend on the row (no input node upstream: a shared template, blocked for every row).
 *     Each row whose final error has one counts once, in its lane (`Lane.breaker`), in the commit
 *     transaction, so duplicate deliveries never count twice (the commit's position guard).
 *   - Trip: once BREAKER_ROWS rows of the pass failed with the same cause since the last breaker
 *     pause (the first 5 such rows, so also 5 in a row). The sum is read from the lanes after the
 *     commit (a plain read; no hot document): counters only grow, so the first check that sees the
 *     threshold pauses, and any later one finds the job paused already.
 *   - Unreachable provider: a lane records when its rows started failing with retryable
 *     `unavailable` errors (`Lane.unreachableSince`) and when it last got an answer
 *     (`Lane.lastAnswerAt`). When no lane has had an answer for UNREACHABLE_MS (3 min) since the
 *     outage began (and since the last resume), the batch pauses with reason `circuit`.
 * `pauseDetail` is the recorded error (messages are already scrubbed when errors are made).
 * A resume starts the count again: the sums at the pause become the job's `breakerBase`, and the
 * outage clock restarts at the resume.
 */
import type { ErrorInfo } from "../errors";
import { ancestors } from "../flow/graph";
import { flowPlan, type ValidFlow } from "../flow/valid-flow";
import type { BatchContext } from "./context";
import { readJob, readLanes } from "./context";
import type { PausedReason } from "./model";
import { pauseForReason } from "./pause-job";
import type { JobState, Lane } from "./state";
import { isRunnable } from "./statuses";

/** Rows failing with one cause that trip the breaker. */
export const BREAKER_ROWS = 5;
/** How long the provider must have been unreachable (no answer, only network errors) to trip it. */
export const UNREACHABLE_MS = 3 * 60_000;

/** The breaker cause of a row's final error, or null when the error is not one that repeats for every row. */
export function breakerKey(error: ErrorInfo & { nodeId?: string }, flow: ValidFlow): string | null {
  switch (error.code) {
    case "auth":
    case "model_not_found":
    case "quota_exhausted":
      return error.code;
    case "safety_blocked":
      return error.nodeId !== undefined && sharedTemplate(flow, error.nodeId) ? `safety_blocked:${error.nodeId}` : null;
    default:
      return null;
  }
}

/** A node no input node feeds: its prompt is the same for every row. */
function sharedTemplate(flow: ValidFlow, nodeId: string): boolean {
  const inputs = new Set(flow.nodes.filter((n) => n.type === "input").map((n) => n.id));
  return ![...ancestors(flowPlan(flow).graph, nodeId)].some((id) => inputs.has(id));
}

export const reasonForKey = (key: string): PausedReason => (key === "quota_exhausted" ? "quota" : "circuit");

/** Counts the committed row's breaker cause in its lane and tracks provider answers (inside the commit). */
export function countInLane(lane: Lane, error: (ErrorInfo & { nodeId?: string }) | null, flow: ValidFlow, now: number): string | null {
  if (error?.code === "unavailable") {
    lane.unreachableSince ??= now;
  } else {
    lane.unreachableSince = null;
    lane.lastAnswerAt = now;
  }
  const key = error ? breakerKey(error, flow) : null;
  if (key === null || !error) return null;
  const seen = lane.breaker[key];
  lane.breaker = { ...lane.breaker, [key]: { rows: (seen?.rows ?? 0) + 1, error: { code: error.code, message: error.message, retryable: error.retryable } } };
  return key;
}

/** The lanes' counts per cause, with the latest error seen for each. */
function sums(lanes: Lane[]): Map<string, { rows: number; error: ErrorInfo }> {
  const out = new Map<string, { rows: number; error: ErrorInfo }>();
  for (const l of lanes) {
    for (const [key, v] of Object.entries(l.breaker)) {
      const cur = out.get(key);
      out.set(key, { rows: (cur?.rows ?? 0) + v.rows, error: v.error });
    }
  }
  return out;
}

/** Since when the provider has given no answer to any lane, or null when no outage is recorded. */
export function outageSince(lanes: Lane[], job: Pick<JobState, "passStartedAt" | "resumedAt">): number | null {
  const starts = lanes.map((l) => l.unreachableSince).filter((t): t is number => t !== null);
  if (starts.length === 0) return null;
  const answered = Math.max(...lanes.map((l) => l.lastAnswerAt ?? 0), job.passStartedAt ?? 0, job.resumedAt ?? 0);
  return Math.max(Math.min(...starts), answered);
}

/**
 * Checks the breaker after a row was counted with a breaker cause, or failed to reach the provider.
 * Pauses the job when a cause reached BREAKER_ROWS rows, or the outage lasted UNREACHABLE_MS.
 */
export async function checkBreaker(ctx: BatchContext, jobId: string, lastError: ErrorInfo): Promise<void> {
  const { store, clock } = ctx.deps;
  const job = await readJob(store, jobId);
  if (!job || !isRunnable(job)) return;
  const lanes = await readLanes(store, jobId, job.pass);
  const counts = sums(lanes);
  const base = job.breakerBase ?? {};
  for (const [key, { rows, error }] of counts) {
    if (rows - (base[key] ?? 0) < BREAKER_ROWS) continue;
    const breakerBase = Object.fromEntries([...counts].map(([k, v]) => [k, v.rows]));
    await pauseForReason(ctx, jobId, reasonForKey(key), error, { breakerBase });
    return;
  }
  const since = outageSince(lanes, job);
  if (since !== null && clock.now() - since >= UNREACHABLE_MS) {
    const minutes = Math.floor((clock.now() - since) / 60_000);
    const detail: ErrorInfo = {
      code: "unavailable",
      message: `No answer from the AI provider for ${minutes} min; last error: ${lastError.message}`,
      retryable: true,
    };
    await pauseForReason(ctx, jobId, "circuit", detail);
  }
}
