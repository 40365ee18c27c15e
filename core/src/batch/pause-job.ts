/**
 * Pause and resume (see ARCHITECTURE.md, "Pause and resume").
 *   pause   processing → paused, with a reason. No row starts while paused: every place that takes
 *           a position asks `laneMayRun`, which needs `processing`. Rows in flight finish and are
 *           counted by their commit, which then leaves the lane idle with its range kept. A row
 *           waiting for a retry not due yet is handed back to its lane now (`yieldPosition`); a row
 *           whose task arrives while paused is handed back on delivery (row-task.ts).
 *   resume  paused → processing: every idle lane below the concurrency takes work again (own range
 *           first, else a steal), in one transaction, then their tasks are enqueued.
 *           cancelled → a NEW pass over the rows that never ran (resume-cancelled.ts).
 * Both are idempotent: pausing a paused job and resuming a running one change nothing. A paused
 * pass whose last rows commit while paused finalizes as usual (finalize.ts).
 */
import { recordWebhookEvent } from "../webhooks/webhook-outbox";
import type { ErrorInfo } from "../errors";
import type { Caller } from "./api";
import { assertOwned, preconditionFailed } from "./access";
import type { BatchContext } from "./context";
import { readJob, readLanes } from "./context";
import { ensureLaneTasks } from "./dispatch";
import { roomForARow, spendOf } from "./budget-spend";
import { maybeFinalize } from "./finalize";
import { formatUsd } from "../governor/format-usd";
import type { DocumentStore } from "../ports/store";
import { jobPath, type PausedReason } from "./model";
import { canPause, canResume, isCancelling, isPaused, isPending, isRunning, isTerminal } from "./statuses";
import { resumeCancelled } from "./resume-cancelled";
import { yieldPosition } from "./row-commit";
import { rebalance } from "./set-concurrency";
import { lanePath, type JobState, type Lane, storedLane } from "./state";

/**
 * True once the job has come to rest: terminal, or paused with no row in flight any more (every
 * row that was running has committed its result, so an export now holds every row that will run
 * before a resume). A runner that stops at a pause waits for this before writing results.
 */
export async function atRest(store: Pick<DocumentStore, "get" | "query">, jobId: string): Promise<boolean> {
  const job = await readJob(store, jobId);
  if (!job) return true;
  if (!isPaused(job.status)) return isTerminal(job.status);
  return (await readLanes(store, jobId, job.pass)).every((l) => l.current === null);
}

/** Options of a resume: `budgetUsd` replaces the job's budget (a budget pause needs it raised above the spend). */
export interface ResumeOptions {
  budgetUsd?: number;
}

export async function pauseJob(ctx: BatchContext, caller: Caller, jobId: string): Promise<JobState> {
  const job = assertOwned(await readJob(ctx.deps.store, jobId), caller, jobId);
  if (isPaused(job.status)) return job;
  if (!canPause(job)) throw preconditionFailed(pauseRefusal(job));
  return (await pauseForReason(ctx, jobId, "user")) ?? assertOwned(await readJob(ctx.deps.store, jobId), caller, jobId);
}

function pauseRefusal(job: JobState): string {
  if (isPending(job.status)) return `Batch ${job.id} has not started; start it or cancel it instead of pausing`;
  if (isCancelling(job)) return `Batch ${job.id} is being cancelled; it cannot be paused`;
  return `Batch ${job.id} already ${job.status}; there is nothing to pause`;
}

/**
 * Pauses a running job for `reason` (the user, the budget cap, the circuit breaker, the quota).
 * Returns the paused job when THIS call paused it; null when the job was not running (already
 * paused, being cancelled, finished or gone), so the first reason to pause a job is the one kept.
 */
export async function pauseForReason(
  ctx: BatchContext,
  jobId: string,
  reason: PausedReason,
  detail?: ErrorInfo,
  /** Internal fields written with the pause (the breaker's counts at the trip). */
  extra: Partial<Pick<JobState, "breakerBase">> = {},
): Promise<JobState | null> {
  const { store, clock, logger } = ctx.deps;
  const paused = await store.runTransaction(async (tx) => {
    const job = await readJob(tx, jobId);
    if (!job || !canPause(job)) return null;
    const now = clock.now();
    const patch = { status: "paused" as const, pausedReason: reason, pausedAt: now, pauseDetail: detail ?? null, ...extra };
    tx.update(jobPath(jobId), patch);
    recordWebhookEvent(tx, { ...job, ...patch }, now);
    return { ...job, ...patch };
  });
  if (!paused) return null;
  logger.info({ jobId, reason, code: detail?.code }, "batch paused");
  ctx.deps.observer?.jobPaused?.({ jobId, reason, at: clock.now() });
  await handBackWaitingRows(ctx, paused);
  return paused;
}

/**
 * Rows waiting for a retry that is not due yet (a re-enqueued task, or the queue's own backoff when
 * it said when) go back to their lanes now: no attempt of them is running.
 */
async function handBackWaitingRows(ctx: BatchContext, job: JobState): Promise<void> {
  const now = ctx.deps.clock.now();
  const waiting = (await readLanes(ctx.deps.store, job.id, job.pass)).filter((l) => l.current !== null && (l.retry?.nextTryAt ?? now) > now);
  for (const l of waiting) await yieldPosition(ctx, job.id, l);
}

export async function resumeJob(ctx: BatchContext, caller: Caller, jobId: string, opts: ResumeOptions = {}): Promise<JobState> {
  const job = assertOwned(await readJob(ctx.deps.store, jobId), caller, jobId);
  if (isRunning(job.status)) return job;
  if (!canResume(job.status)) {
    if (isPending(job.status)) throw preconditionFailed(`Batch ${jobId} has not started; start it instead of resuming`);
    throw preconditionFailed(`Batch ${jobId} already ${job.status}; retry its failed rows instead of resuming`);
  }
  if (isPaused(job.status)) return resumePaused(ctx, caller, jobId, opts);
  // A cancelled job: a new pass over the rows that never ran, under the budget given (its rows check it like any others).
  if (opts.budgetUsd !== undefined) await ctx.deps.store.update(jobPath(jobId), { budgetUsd: opts.budgetUsd });
  return resumeCancelled(ctx, caller, opts.budgetUsd !== undefined ? { ...job, budgetUsd: opts.budgetUsd } : job);
}

/**
 * A job the budget paused resumes only under a budget with room for at least one more row (else
 * its next row would pause it again at once): the answer says how far to raise it.
 */
function checkBudgetRaised(job: JobState, lanes: Lane[], opts: ResumeOptions): void {
  const budgetUsd = opts.budgetUsd ?? job.budgetUsd;
  if (job.pausedReason !== "budget" || budgetUsd === null) return;
  const spend = spendOf(job, lanes, -1);
  if (!roomForARow(budgetUsd, spend)) {
    const room = formatUsd(spend.committedUsd + spend.reservedUsd + spend.perRowUsd);
    throw preconditionFailed(
      `Batch ${job.id} has spent ${formatUsd(spend.committedUsd)} of its ${formatUsd(budgetUsd)} budget; resume it with a budgetUsd above ${room} (one more row)`,
    );
  }
}

/** One transaction: paused → processing, idle lanes below the concurrency take work; then enqueue. */
async function resumePaused(ctx: BatchContext, caller: Caller, jobId: string, opts: ResumeOptions): Promise<JobState> {
  const { store, clock, logger } = ctx.deps;
  const out = await store.runTransaction(async (tx) => {
    const job = assertOwned(await readJob(tx, jobId), caller, jobId);
    if (!isPaused(job.status)) return { job, busy: [] as Lane[], resumed: false };
    const lanes = await readLanes(tx, jobId, job.pass);
    checkBudgetRaised(job, lanes, opts);
    const now = clock.now();
    // While an economy pass's layers run it has no lanes yet: they open when the last layer settles.
    const { changed } = job.layersPass === job.pass ? { changed: new Set<Lane>() } : rebalance(lanes, job.concurrency, job, now);
    const laneCount = Math.max(job.laneCount, lanes.length);
    const budget = opts.budgetUsd !== undefined ? { budgetUsd: opts.budgetUsd } : {};
    const patch = {
      status: "processing" as const,
      pausedReason: null,
      pausedAt: null,
      pauseDetail: null,
      laneCount,
      resumedAt: now,
      updatedAt: now,
      ...budget,
    };
    tx.update(jobPath(jobId), patch);
    for (const l of changed) tx.set(lanePath(jobId, l.index), storedLane(l));
    // Rows still in flight from before the pause keep their task ("exists"); a lost one is re-made.
    return { job: { ...job, ...patch }, busy: lanes.filter((l) => l.current !== null), resumed: true };
  });
  if (!out.resumed) return out.job;
  await ensureLaneTasks(ctx, jobId, out.busy);
  logger.info({ jobId, lanesBusy: out.busy.length, budgetUsd: opts.budgetUsd }, "batch resumed");
  // Nothing left to start and nothing in flight: the pass is over (a paused pass finalizes too).
  if (out.busy.length === 0 && (await maybeFinalize(ctx, jobId))) return (await readJob(store, jobId)) ?? out.job;
  return out.job;
}
