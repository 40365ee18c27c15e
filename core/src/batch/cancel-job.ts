/**
 * cancelJob: a pending job is cancelled at once. A processing job gets `cancelRequested`; every
 * lane stops at its next claim or commit (in-flight rows finish), and the last lane to go idle
 * finalizes the job as `cancelled` with skippedRows = rows never run. A lane whose row waits for a
 * re-enqueued retry (a provider's delay can be long) is stopped now instead of at that retry: no
 * attempt of it is running. A paused job becomes a cancelling processing job the same way (its
 * handed-back rows never ran, so they count as skipped). An economy job's provider batch jobs
 * are cancelled (`batches.cancel`); a pass still in its text layers has no lanes and finalizes
 * cancelled at once, every row counted as skipped. Idempotent.
 */
import type { Caller } from "./api";
import { assertOwned, preconditionFailed } from "./access";
import type { BatchContext } from "./context";
import { readJob, readLanes } from "./context";
import { maybeFinalize } from "./finalize";
import { cancelProviderJobs } from "../economy/provider-jobs";
import { jobPath } from "./model";
import { releaseSlot } from "./owner-slots";
import { Lane, lanePath, type JobState, storedLane } from "./state";
import { isRunning } from "./statuses";
import { recordWebhookEvent } from "../webhooks/webhook-outbox";

export async function cancelJob(ctx: BatchContext, caller: Caller, jobId: string): Promise<JobState> {
  const { store, clock, logger, observer } = ctx.deps;
  const out = await store.runTransaction(async (tx) => {
    const job = assertOwned(await readJob(tx, jobId), caller, jobId);
    const now = clock.now();
    switch (job.status) {
      case "cancelled":
        return { job, finished: false };
      case "completed":
      case "failed":
        throw preconditionFailed(`Batch ${jobId} already ${job.status}; there is nothing to cancel`);
      case "pending": {
        const patch = { status: "cancelled" as const, cancelRequested: true, skippedRows: job.totalRows, finishedAt: now, updatedAt: now };
        tx.update(jobPath(jobId), patch);
        releaseSlot(tx, job);
        recordWebhookEvent(tx, { ...job, ...patch }, now);
        return { job: { ...job, ...patch }, finished: true };
      }
      case "processing": {
        // An economy pass still in its layers has no lanes: clearing `layersPass` lets it finalize.
        const layers = job.layersPass === job.pass ? { layersPass: null } : {};
        if (!job.cancelRequested || job.layersPass === job.pass) tx.update(jobPath(jobId), { cancelRequested: true, ...layers });
        return { job: { ...job, cancelRequested: true, ...layers }, finished: false };
      }
      case "paused": {
        // Back to a cancelling run: rows still in flight finish, then the pass finalizes cancelled.
        const layers = job.layersPass === job.pass ? { layersPass: null } : {};
        const patch = { status: "processing" as const, cancelRequested: true, pausedReason: null, pausedAt: null, pauseDetail: null, ...layers };
        tx.update(jobPath(jobId), patch);
        return { job: { ...job, ...patch }, finished: false };
      }
    }
  });
  logger.info({ jobId, status: out.job.status }, "batch cancel requested");
  if (out.finished) observer?.jobFinished?.({ jobId, status: "cancelled", at: clock.now() });
  if (isRunning(out.job.status)) await stopWaitingLanes(ctx, out.job);
  // Provider batch jobs still running are told to stop (their records settle as cancelled).
  // A failed provider call (or none: no provider key here) does not fail the cancel: each
  // provider job's next poll stops it (economy-driver.ts).
  const batches = ctx.deps.economy?.batches;
  if (batches && out.job.mode === "economy" && isRunning(out.job.status)) {
    await cancelProviderJobs({ store, jobs: batches, clock }, jobId).catch((err: unknown) => {
      logger.warn({ jobId, err: err instanceof Error ? err.name : "unknown" }, "provider batch jobs not cancelled yet; their polls will");
    });
  }
  if (isRunning(out.job.status) && (await maybeFinalize(ctx, jobId))) {
    return (await readJob(store, jobId)) ?? out.job;
  }
  return out.job;
}

/** Ends the positions of lanes whose row waits for a re-enqueued retry that is not due yet. */
async function stopWaitingLanes(ctx: BatchContext, job: JobState): Promise<void> {
  const { store, clock } = ctx.deps;
  const waiting = (await readLanes(store, job.id, job.pass)).filter((l) => l.current !== null && l.retry?.reenqueued);
  for (const seen of waiting) {
    await store.runTransaction(async (tx) => {
      const doc = await tx.get(lanePath(job.id, seen.index));
      if (!doc) return;
      const lane = Lane.parse(doc.data);
      const now = clock.now();
      const due = lane.retry?.nextTryAt ?? now;
      const same = lane.pass === seen.pass && lane.gen === seen.gen && lane.current === seen.current && lane.attemptBase === seen.attemptBase;
      if (!same || !lane.retry?.reenqueued || due <= now) return;
      tx.set(lanePath(job.id, seen.index), storedLane({ ...lane, current: null, attemptBase: 0, retry: null, updatedAt: now }));
    });
  }
}
