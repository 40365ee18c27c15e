/**
 * startJob: pending → processing. In ONE transaction: split the work list into
 * min(concurrency, rows) lanes and put each lane's first position in flight; then enqueue the lanes'
 * tasks. Calling it again on a processing job re-ensures every lane's task (idempotent repair).
 * An economy job on a host with provider batch jobs opens no lanes: it enqueues its first text
 * layer's task, and the last layer opens the lanes (economy/economy-driver.ts).
 */
import type { Caller } from "./api";
import { assertOwned, preconditionFailed } from "./access";
import type { BatchContext } from "./context";
import { readJob, readLanes } from "./context";
import { ensureLaneTasks } from "./dispatch";
import { splitRanges, takeOwn } from "./lanes";
import { economyDriven, enqueueLayerTask } from "../economy/economy-driver";
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
    if (economyDriven(ctx, job)) {
      // Economy: the text layers run first (economy-driver.ts); the lanes open after the last one.
      const patch = { status: "processing" as const, startedAt: now, passStartedAt: now, updatedAt: now, laneCount: 0, layersPass: job.pass };
      tx.update(jobPath(jobId), patch);
      return { job: { ...job, ...patch }, lanes: [], started: true };
    }
    const lanes = splitRanges(job.passRows, Math.min(job.concurrency, job.passRows), job.pass, now);
    lanes.forEach(takeOwn);
    const patch = { status: "processing" as const, startedAt: now, passStartedAt: now, updatedAt: now, laneCount: lanes.length };
    tx.update(jobPath(jobId), patch);
    for (const l of lanes) tx.set(lanePath(jobId, l.index), storedLane(l));
    return { job: { ...job, ...patch }, lanes, started: true };
  });
  // Also a repair: the layer task of a pass still in its layers is enqueued again ("exists" once run).
  if (out.job.layersPass === out.job.pass) await enqueueLayerTask(ctx, { jobId, pass: out.job.pass, layer: 0 });
  await ensureLaneTasks(ctx, jobId, out.lanes);
  if (out.started) logger.info({ jobId, lanes: out.lanes.length }, "batch started");
  return out.job;
}
