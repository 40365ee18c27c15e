/**
 * What a row does after a retryable failure that is not its last attempt. One attempt budget
 * spans every task of the row: attempt = payload `attempt` + the queue's retryCount, and the row is
 * recorded failed once that reaches the queue's `maxAttempts`, so a row never retries forever.
 *   - The provider asked for a delay (`retryAfterMs`): honour it exactly by re-enqueueing the next
 *     attempt as a NEW task (payload `attempt` + 1, due after the delay) and returning success. A
 *     queue's own backoff would ignore the delay, and on Firebase a thrown error is an HTTP 500
 *     logged as unhandled.
 *   - Otherwise: throw a RetryableError, so the queue retries the same task with its backoff.
 * Both record the pending retry in the lane (`Lane.retry`, `Lane.attemptBase`) and the checkpoint,
 * under a guard on the lane's pass, generation and position, so a stale delivery changes nothing.
 * A job paused by then hands the row back to its lane instead (pause-job.ts); its checkpoint stays.
 */
import { RetryableError, type ErrorInfo } from "../errors";
import { addUsd, roundUsd } from "../governor/run-cost";
import type { TaskContext } from "../ports/task-queue";
import type { RowTask } from "./api";
import type { BatchContext } from "./context";
import { checkBreaker } from "./breaker";
import { readJob } from "./context";
import { yieldPosition } from "./row-commit";
import { ensureLaneTask } from "./dispatch";
import { rollUp } from "./roll-up";
import { Lane, checkpointPath, lanePath, type Checkpoint, type RowRetry, storedLane } from "./state";
import { isPaused } from "./statuses";

export interface AttemptBudget {
  /** This delivery's attempt, 0-based, counted across the row's tasks. */
  attempt: number;
  /** A failure now records the row as failed. */
  last: boolean;
  /** The queue's budget, when it told us (negative = unlimited). */
  maxAttempts?: number;
}

export function attemptBudget(task: RowTask, tctx: TaskContext): AttemptBudget {
  const attempt = (task.attempt ?? 0) + tctx.retryCount;
  const max = tctx.maxAttempts;
  const spent = max !== undefined && max >= 0 && attempt + 1 >= max;
  return { attempt, last: tctx.isLastAttempt || spent, ...(max !== undefined ? { maxAttempts: max } : {}) };
}

export interface RetryInput {
  task: RowTask;
  tctx: TaskContext;
  laneIndex: number;
  pos: number;
  budget: AttemptBudget;
  error: ErrorInfo;
  nodeOutputs: Checkpoint["nodeOutputs"];
  spent: RowSpend;
}

/** What a row has cost so far (every attempt and pass), and the part earlier passes already counted. */
export type RowSpend = Pick<Checkpoint, "costUsd" | "carriedCostUsd">;

/** The spend after this attempt: the checkpoint's (earlier attempts) plus this attempt's cost. */
export function rowSpend(cp: RowSpend | undefined, attemptUsd: number): RowSpend {
  return { costUsd: addUsd(cp?.costUsd ?? 0, attemptUsd), carriedCostUsd: cp?.carriedCostUsd ?? 0 };
}

/** What this pass spent on the row: what its lane counts. */
export function passSpendUsd(s: RowSpend): number {
  return Math.max(0, roundUsd(s.costUsd - s.carriedCostUsd));
}

/** The pending retry of a row that failed retryably, as the lane and the checkpoint record it. */
export function pendingRetry(ctx: BatchContext, r: Pick<RetryInput, "task" | "budget" | "error">, reenqueue: boolean, waitMs: number | undefined): RowRetry {
  const { task, budget, error } = r;
  const now = ctx.deps.clock.now();
  return {
    rowIndex: task.rowIndex,
    attempt: budget.attempt + 2,
    maxAttempts: budget.maxAttempts !== undefined && budget.maxAttempts >= 0 ? budget.maxAttempts : null,
    nextTryAt: waitMs === undefined ? null : now + waitMs,
    lastError: { code: error.code, message: error.message, retryable: true, ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}) },
    at: now,
    reenqueued: reenqueue,
  };
}

export async function retryLater(ctx: BatchContext, r: RetryInput): Promise<void> {
  const { task, budget, error } = r;
  const reenqueue = error.retryAfterMs !== undefined && budget.maxAttempts !== undefined;
  const waitMs = error.retryAfterMs ?? r.tctx.retryDelayMs;
  const retry = pendingRetry(ctx, r, reenqueue, waitMs);
  await saveCheckpoint(ctx, task, { nodeOutputs: r.nodeOutputs, ...r.spent }, retry);
  const lane = await recordRetry(ctx, r, retry, reenqueue);
  const log = { jobId: task.jobId, row: task.rowIndex, attempt: budget.attempt, code: error.code, waitMs, reenqueue };
  ctx.deps.logger.info(log, lane ? "row will be retried" : "stale row delivery: retry left to the newer one");
  if (!lane) return;
  await afterRetryRecorded(ctx, { jobId: task.jobId, lane, error, reenqueue, waitMs });
}

/**
 * What follows a recorded retry: the breaker's outage check, a hand-back if the job was paused
 * meanwhile, the job's "retrying" view, then the retry itself (the queue's, by throwing, or the
 * re-enqueued task, due after `waitMs`).
 */
export async function afterRetryRecorded(
  ctx: BatchContext,
  o: { jobId: string; lane: Lane; error: ErrorInfo; reenqueue: boolean; waitMs: number | undefined },
): Promise<void> {
  const { jobId, lane, error } = o;
  if (error.code === "unavailable") await checkBreaker(ctx, jobId, error);
  // Paused meanwhile (by the user, or by the check above): the row goes back to its lane instead
  // of waiting for a retry, so the pause comes to rest without waiting out the delay.
  const job = await readJob(ctx.deps.store, jobId);
  if (job && isPaused(job.status) && !job.cancelRequested) {
    await yieldPosition(ctx, jobId, lane);
    return;
  }
  await showWait(ctx, jobId);
  if (!o.reenqueue) throw new RetryableError(error.code, error.message, error.retryAfterMs);
  await ensureLaneTask(ctx, jobId, lane, o.waitMs);
}

/**
 * Writes the pending retry into the lane; a re-enqueue also raises `attemptBase` past this attempt,
 * which names the next task and supersedes this one. Null when the lane moved on or this task was
 * superseded meanwhile.
 */
async function recordRetry(ctx: BatchContext, r: RetryInput, retry: RowRetry, reenqueue: boolean): Promise<Lane | null> {
  const { task, laneIndex, pos, budget } = r;
  return ctx.deps.store.runTransaction(async (tx) => {
    const doc = await tx.get(lanePath(task.jobId, laneIndex));
    if (!doc) return null;
    const lane = Lane.parse(doc.data);
    if (lane.pass !== task.pass || lane.gen !== (task.gen ?? 0) || lane.current !== pos) return null;
    if (lane.attemptBase !== (task.attempt ?? 0)) return null;
    const now = ctx.deps.clock.now();
    const unreachableSince = r.error.code === "unavailable" ? (lane.unreachableSince ?? now) : lane.unreachableSince;
    // The group ended at its first row (nothing else of the range ran): its range may be stolen
    // from again while the row waits for its retry.
    const next: Lane = { ...lane, retry, unreachableSince, attemptBase: reenqueue ? budget.attempt + 1 : lane.attemptBase, stolen: false, updatedAt: now };
    tx.set(lanePath(task.jobId, laneIndex), storedLane(next));
    return next;
  });
}

/** Best effort: the job doc lists the waiting row (`Job.retrying`) at its next roll-up window. */
async function showWait(ctx: BatchContext, jobId: string): Promise<void> {
  try {
    await rollUp(ctx, jobId);
  } catch (err) {
    ctx.deps.logger.warn({ jobId, err: err instanceof Error ? err.name : "unknown" }, "roll-up after a retry failed");
  }
}

/** Best effort: without a checkpoint the retry just re-runs the completed nodes. */
export async function saveCheckpoint(
  ctx: BatchContext,
  task: RowTask,
  saved: Pick<Checkpoint, "nodeOutputs" | "costUsd" | "carriedCostUsd">,
  retry: RowRetry,
): Promise<void> {
  const cp: Checkpoint = { pass: task.pass, ...saved, attempt: retry.attempt, nextTryAt: retry.nextTryAt, updatedAt: ctx.deps.clock.now() };
  try {
    await ctx.deps.store.set(checkpointPath(task.jobId, task.rowIndex), cp);
  } catch (err) {
    ctx.deps.logger.warn({ jobId: task.jobId, row: task.rowIndex, err: err instanceof Error ? err.name : "unknown" }, "checkpoint not saved");
  }
}
