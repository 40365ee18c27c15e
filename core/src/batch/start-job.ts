/**
 * startJob: pending → processing. In ONE transaction: split the work list into
 * min(concurrency, rows) lanes and put each lane's first position in flight; then enqueue the lanes'
 * tasks. Calling it again on a processing job re-ensures every lane's task (idempotent repair).
 */
import type { Caller } from "./api";
import { assertOwned, preconditionFailed } from "./access";
import type { BatchContext } from "./context";
import { readJob, readLanes } from "./context";
import { ensureLaneTasks } from "./dispatch";
import { splitRanges, takeOwn } from "./lanes";
import { jobPath } from "./model";
import { lanePath, type JobState, storedLane } from "./state";
import { canStart, isPaused, isRunning } from "./statuses";

export async function startJob(ctx: BatchContext, caller: Caller, jobId: string): Promise<JobState> {
  const { store, clock, logger } = ctx.deps;
  const out = await store.runTransaction(async (tx) => {
    const job = assertOwned(await readJob(tx, jobId), caller, jobId);
    if (isRunning(job.status)) return { job, lanes: await readLanes(tx, jobId, job.pass), started: false };
    if (isPaused(job.status)) throw preconditionFailed(`Batch ${jobId} is paused; resume it to continue`);
    if (!canStart(job.status)) throw preconditionFailed(`Batch ${jobId} is ${job.status} and cannot be started`);
    const now = clock.now();
    const lanes = splitRanges(job.passRows, Math.min(job.concurrency, job.passRows), job.pass, now);
    lanes.forEach(takeOwn);
    const patch = { status: "processing" as const, startedAt: now, passStartedAt: now, updatedAt: now, laneCount: lanes.length };
    tx.update(jobPath(jobId), patch);
    for (const l of lanes) tx.set(lanePath(jobId, l.index), storedLane(l));
    return { job: { ...job, ...patch }, lanes, started: true };
  });
  await ensureLaneTasks(ctx, jobId, out.lanes);
  if (out.started) logger.info({ jobId, lanes: out.lanes.length }, "batch started");
  return out.job;
}

