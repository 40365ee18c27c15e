/**
 * runRowTask: one delivery of one row task (at least once, maybe duplicated or stale). The task
 * names the first row of its lane's group [current, next) (row-group.ts runs the rest).
 *   1. claim the attempt (create-if-absent `claims/{pass,row,lane,gen,base,attempt}`): a duplicate
 *      delivery of the same attempt stops here, so a row never runs twice at once;
 *   2. check the lane still has this row in flight with this task's attempt base (else the task is
 *      stale or superseded by a re-enqueued attempt: re-ensure the lane's real task and stop) and
 *      the job is running (paused: hand the position back to the lane for resume; cancelled or
 *      finished: end the lane);
 *   3. run the group's rows one after another (row-group.ts; each resumes from a checkpoint on a
 *      retry), store media;
 *   4. retryable failure of the first row before its last attempt → checkpoint completed nodes
 *      and retry (row-retry.ts: re-enqueue after the provider's delay, or throw for the queue's
 *      backoff); otherwise commit the rows run (results + counts + lane advance, one transaction)
 *      and enqueue the lane's next group.
 * Attempts count across the row's tasks (payload `attempt` + retryCount): see row-retry.ts.
 */
import { z } from "zod";
import { AlreadyExistsError } from "../ports/store";
import type { TaskContext } from "../ports/task-queue";
import type { RowTask } from "./api";
import type { BatchContext } from "./context";
import { readJobAndLane, rowAt } from "./context";
import { ensureLaneTask } from "./dispatch";
import { budgetStop, pauseForBudget } from "./budget";
import { maybeFinalize } from "./finalize";
import { stopLane, yieldPosition } from "./row-commit";
import { runGroup } from "./row-group";
import { attemptBudget } from "./row-retry";
import { claimsPath, parseLaneIndex } from "./state";
import { isPaused, isRunnable, isRunning } from "./statuses";
import { claimKey } from "./task-ids";

export { engineFor } from "./row-run";

/** The task payload as parsed at the boundary (payloads are data from the queue). */
export const RowTaskSchema = z.object({
  jobId: z.string().min(1),
  rowIndex: z.number().int().nonnegative(),
  pass: z.number().int().nonnegative(),
  lane: z.string().min(1),
  gen: z.number().int().nonnegative().optional(),
  attempt: z.number().int().nonnegative().optional(),
});

export async function runRowTask(ctx: BatchContext, raw: RowTask, tctx: TaskContext): Promise<void> {
  const { store, logger } = ctx.deps;
  const parsed = RowTaskSchema.safeParse(raw);
  if (!parsed.success) {
    logger.warn({ taskId: tctx.taskId }, "malformed row task dropped");
    return;
  }
  const task: RowTask = parsed.data;
  const laneIndex = parseLaneIndex(task.lane);
  if (laneIndex === null) {
    logger.warn({ jobId: task.jobId, lane: task.lane }, "row task with a bad lane id dropped");
    return;
  }
  const budget = attemptBudget(task, tctx);
  const [claimed, read] = await Promise.all([claim(ctx, task, tctx.retryCount), readJobAndLane(store, task.jobId, laneIndex)]);
  if (!claimed) {
    logger.debug({ jobId: task.jobId, row: task.rowIndex, attempt: budget.attempt }, "duplicate row delivery ignored");
    return;
  }
  if (!read) return;
  const { job, lane } = read;
  const pos = lane.current;
  // A task whose attempt base is not the lane's was superseded by a re-enqueued attempt.
  const superseded = lane.attemptBase !== (task.attempt ?? 0);
  const stale = lane.pass !== task.pass || lane.gen !== (task.gen ?? 0) || pos === null || superseded;
  if (stale || (await rowAt(ctx, task.jobId, lane, pos)) !== task.rowIndex) {
    if (isRunning(job.status) && lane.pass === job.pass) await ensureLaneTask(ctx, task.jobId, lane);
    return;
  }
  if (isPaused(job.status) && !job.cancelRequested) {
    // Paused before this row started: its position goes back to the lane for resume.
    await yieldPosition(ctx, task.jobId, { index: laneIndex, pass: task.pass, current: pos, gen: lane.gen });
    return;
  }
  if (!isRunnable(job)) {
    if (await stopLane(ctx, { jobId: task.jobId, laneIndex, pass: task.pass, position: pos })) await maybeFinalize(ctx, task.jobId);
    return;
  }
  // A row about to start (not a retry of one already running) first checks the budget.
  const overBudget = budget.attempt === 0 && job.budgetUsd !== null ? await budgetStop(ctx, job, laneIndex) : null;
  if (overBudget && job.budgetUsd !== null) {
    await pauseForBudget(ctx, job, job.budgetUsd, overBudget);
    await yieldPosition(ctx, task.jobId, { index: laneIndex, pass: task.pass, current: pos, gen: lane.gen });
    return;
  }
  await runGroup(ctx, { task, tctx, budget, job, lane });
}

/** Creates the attempt's claim; false when another delivery of the same attempt got there first. */
async function claim(ctx: BatchContext, task: RowTask, retryCount: number): Promise<boolean> {
  try {
    await ctx.deps.store.create(`${claimsPath(task.jobId)}/${claimKey(task, retryCount)}`, {
      at: ctx.deps.clock.now(),
      rowIndex: task.rowIndex,
      pass: task.pass,
      lane: task.lane,
      gen: task.gen ?? 0,
      attempt: (task.attempt ?? 0) + retryCount,
    });
    return true;
  } catch (err) {
    if (err instanceof AlreadyExistsError) return false;
    throw err;
  }
}
