/**
 * runRowTask: one delivery of one row task (at least once, maybe duplicated or stale).
 *   1. claim the attempt (create-if-absent `claims/{pass,row,lane,gen,base,attempt}`): a duplicate
 *      delivery of the same attempt stops here, so a row never runs twice at once;
 *   2. check the lane still has this row in flight with this task's attempt base (else the task is
 *      stale or superseded by a re-enqueued attempt: re-ensure the lane's real task and stop) and
 *      the job is running (paused: hand the position back to the lane for resume; cancelled or
 *      finished: end the lane);
 *   3. run the engine (resuming from a checkpoint on a retry), store media;
 *   4. retryable failure before the row's last attempt → checkpoint completed nodes and retry
 *      (row-retry.ts: re-enqueue after the provider's delay, or throw for the queue's backoff);
 *      otherwise commit (result + count + lane advance) and enqueue the lane's next row.
 * Attempts count across the row's tasks (payload `attempt` + retryCount): see row-retry.ts.
 */
import { z } from "zod";
import { toErrorInfo } from "../errors";
import { ServerWorkflowEngine } from "../engine/server-workflow-engine";
import { runCostUsd } from "../governor/run-cost";
import type { RowRun } from "../engine/types";
import { AlreadyExistsError } from "../ports/store";
import type { TaskContext } from "../ports/task-queue";
import type { RowTask } from "./api";
import type { BatchContext } from "./context";
import { jobFlow, loadRow, rowAt } from "./context";
import { checkBreaker } from "./breaker";
import { ensureLaneTask } from "./dispatch";
import { budgetStop, pauseForBudget } from "./budget";
import { maybeFinalize } from "./finalize";
import { jobPath, resultPath, type RowResult } from "./model";
import { buildResult, fitResult, storeOutputs } from "./row-outputs";
import { commitRow, finalizeIfIdle, stealWork, stopLane, yieldPosition, type CommitOutcome } from "./row-commit";
import { attemptBudget, passSpendUsd, retryLater, rowSpend, type AttemptBudget, type RowSpend } from "./row-retry";
import { Checkpoint, JobState, Lane, checkpointPath, claimsPath, lanePath, parseLaneIndex } from "./state";
import { claimKey } from "./task-ids";

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
  const [claimed, [jobDoc, laneDoc]] = await Promise.all([
    claim(ctx, task, tctx.retryCount),
    store.getAll([jobPath(task.jobId), lanePath(task.jobId, laneIndex)]),
  ]);
  if (!claimed) {
    logger.debug({ jobId: task.jobId, row: task.rowIndex, attempt: budget.attempt }, "duplicate row delivery ignored");
    return;
  }
  if (!jobDoc || !laneDoc) return;
  const job = JobState.parse(jobDoc.data);
  const lane = Lane.parse(laneDoc.data);
  const pos = lane.current;
  // A task whose attempt base is not the lane's was superseded by a re-enqueued attempt.
  const superseded = lane.attemptBase !== (task.attempt ?? 0);
  const stale = lane.pass !== task.pass || lane.gen !== (task.gen ?? 0) || pos === null || superseded;
  if (stale || (await rowAt(ctx, task.jobId, lane, pos)) !== task.rowIndex) {
    if (job.status === "processing" && lane.pass === job.pass) await ensureLaneTask(ctx, task.jobId, lane);
    return;
  }
  if (job.status === "paused" && !job.cancelRequested) {
    // Paused before this row started: its position goes back to the lane for resume.
    await yieldPosition(ctx, task.jobId, { index: laneIndex, pass: task.pass, current: pos, gen: lane.gen });
    return;
  }
  if (job.status !== "processing" || job.cancelRequested) {
    if (await stopLane(ctx, task.jobId, laneIndex, task.pass, pos)) await maybeFinalize(ctx, task.jobId);
    return;
  }
  // A row about to start (not a retry of one already running) first checks the budget.
  const overBudget = budget.attempt === 0 && job.budgetUsd !== null ? await budgetStop(ctx, job, laneIndex) : null;
  if (overBudget && job.budgetUsd !== null) {
    await pauseForBudget(ctx, job, job.budgetUsd, overBudget);
    await yieldPosition(ctx, task.jobId, { index: laneIndex, pass: task.pass, current: pos, gen: lane.gen });
    return;
  }
  await runAndCommit(ctx, { task, tctx, budget, job, laneIndex, pos });
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

interface RunInput {
  task: RowTask;
  tctx: TaskContext;
  budget: AttemptBudget;
  job: JobState;
  laneIndex: number;
  pos: number;
}

async function runAndCommit(ctx: BatchContext, r: RunInput): Promise<void> {
  const { clock, logger, observer, blobs } = ctx.deps;
  const { task, tctx, budget, job } = r;
  // Only a retry, a re-driven lane or a retry pass can have saved outputs: skip the read otherwise.
  const mayResume = budget.attempt > 0 || task.pass > 0 || (task.gen ?? 0) > 0;
  const cp = mayResume ? await loadCheckpoint(ctx, task) : undefined;
  const resume = cp?.nodeOutputs;
  const reuse = cp?.reuse;
  const row = await loadRow(ctx, job, task.rowIndex);
  const startedAt = clock.now();
  const ev = { jobId: task.jobId, rowIndex: task.rowIndex, pass: task.pass, attempt: budget.attempt };
  observer?.rowStarted?.({ ...ev, at: startedAt, lane: task.lane });
  const run = await execute(ctx, job, row, { resume, reuse, lastAttempt: budget.last });
  const retryAfterMs = run.error?.retryAfterMs;
  observer?.rowEnded?.({ ...ev, at: clock.now(), status: run.status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  const stored = await storeOutputs(blobs, task.jobId, task.rowIndex, run);
  const spent = rowSpend(cp, runCostUsd(jobFlow(ctx, job), run.trace, ctx.deps.prices));
  if (run.status === "failed" && run.error?.retryable && !budget.last) {
    return retryLater(ctx, { task, tctx, laneIndex: r.laneIndex, pos: r.pos, budget, error: run.error, nodeOutputs: stored.nodeOutputs, spent });
  }
  const built = buildResult({ task, laneId: task.lane, run, stored, attempts: budget.attempt + 1, startedAt, finishedAt: clock.now(), costUsd: spent.costUsd });
  const result = fitResult(built, resultPath(task.jobId, task.rowIndex));
  const out = await commitOrRecordFailure(ctx, r, result, spent);
  if (out.checkBreaker && result.error) await checkBreaker(ctx, task.jobId, result.error);
  if (out.committed) {
    logger.info({ jobId: task.jobId, row: task.rowIndex, status: result.status, durationMs: result.durationMs }, "row finished");
    observer?.rowCounted?.({ jobId: task.jobId, rowIndex: task.rowIndex, pass: task.pass, status: result.status });
  }
  if (!out.lane) return;
  const lane = out.lane.current === null && out.mayRun ? ((await stealWork(ctx, task.jobId, r.laneIndex, task.pass)) ?? out.lane) : out.lane;
  if (lane.current !== null) await ensureLaneTask(ctx, task.jobId, lane);
  else await finalizeIfIdle(ctx, task.jobId, task.pass);
}

/**
 * Commits the result. If even that fails on the last attempt (data the store rejects), commits a
 * bare failed result instead, so the row is counted and its lane moves on.
 */
async function commitOrRecordFailure(ctx: BatchContext, r: RunInput, result: RowResult, spent: RowSpend): Promise<CommitOutcome> {
  const passSpend = passSpendUsd(spent);
  try {
    return await commitRow(ctx, r.task, r.laneIndex, r.pos, result, passSpend);
  } catch (err) {
    if (!r.budget.last) throw err;
    ctx.deps.logger.error({ jobId: r.task.jobId, row: r.task.rowIndex, err: err instanceof Error ? err.name : "unknown" }, "result not storable");
    const error = { code: "internal" as const, message: "The row's result could not be stored", retryable: false };
    return commitRow(ctx, r.task, r.laneIndex, r.pos, { ...result, status: "failed", outputs: {}, nodeOutputs: {}, trace: {}, error }, passSpend);
  }
}

async function loadCheckpoint(ctx: BatchContext, task: RowTask): Promise<Checkpoint | undefined> {
  const doc = await ctx.deps.store.get(checkpointPath(task.jobId, task.rowIndex));
  if (!doc) return undefined;
  const cp = Checkpoint.parse(doc.data);
  return cp.pass === task.pass ? cp : undefined;
}

/** Runs the engine; an unexpected throw becomes a retryable `internal` failure of the row. */
async function execute(ctx: BatchContext, job: JobState, row: Record<string, string>, o: { resume: RowRun["nodeOutputs"] | undefined; reuse?: Checkpoint["reuse"]; lastAttempt: boolean }): Promise<RowRun> {
  const { clock, limits, logger } = ctx.deps;
  const { resume } = o;
  const started = clock.now();
  try {
    // On the last attempt a row waits for a permit up to its deadline rather than fail for want of one.
    const governor = { governorJob: { id: job.id, ...(job.callLimits ? { limits: job.callLimits } : {}) }, ...(o.lastAttempt ? { governorMaxWaitMs: limits.rowTimeoutMs } : {}) };
    const opts = { flow: jobFlow(ctx, job), row, deadline: started + limits.rowTimeoutMs, ...governor, ...(resume ? { resume } : {}), ...(o.reuse ? { reuse: o.reuse } : {}) };
    return await engineFor(ctx).execute(opts);
  } catch (err) {
    logger.error({ jobId: job.id, err: err instanceof Error ? err.name : "unknown" }, "engine threw");
    const usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
    return { status: "failed", outputs: {}, nodeOutputs: resume ?? {}, trace: {}, usage, durationMs: clock.now() - started, error: toErrorInfo(err) };
  }
}

/** The engine rows run with (one per instance): also what an estimate's dry run uses. */
export function engineFor(ctx: BatchContext): ServerWorkflowEngine {
  const key = "engine";
  let engine = ctx.cache.get<ServerWorkflowEngine>(key);
  if (!engine) {
    const { ai, clock, logger } = ctx.deps;
    const { nodeRetry, governor, governorMaxWaitMs } = ctx.deps.engine ?? {};
    engine = new ServerWorkflowEngine({ ai, clock, logger, ...(nodeRetry ? { nodeRetry } : {}), ...(governor ? { governor } : {}), ...(governorMaxWaitMs !== undefined ? { governorMaxWaitMs } : {}) });
    ctx.cache.set(key, engine);
  }
  return engine;
}
