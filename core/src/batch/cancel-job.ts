/**
 * cancelJob: a pending job is cancelled at once. A processing job gets `cancelRequested`; every
 * lane stops at its next claim or commit (in-flight rows finish), and the last lane to go idle
 * finalizes the job as `cancelled` with skippedRows = rows never run. Idempotent.
 */
import type { Caller } from "./api";
import { assertOwned, preconditionFailed } from "./access";
import type { BatchContext } from "./context";
import { readJob } from "./context";
import { maybeFinalize } from "./finalize";
import { jobPath } from "./model";
import { releaseSlot } from "./owner-slots";
import type { JobState } from "./state";

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
        return { job: { ...job, ...patch }, finished: true };
      }
      case "processing":
        if (!job.cancelRequested) tx.update(jobPath(jobId), { cancelRequested: true });
        return { job: { ...job, cancelRequested: true }, finished: false };
    }
  });
  logger.info({ jobId, status: out.job.status }, "batch cancel requested");
  if (out.finished) observer?.jobFinished?.({ jobId, status: "cancelled", at: clock.now() });
  if (out.job.status === "processing" && (await maybeFinalize(ctx, jobId))) {
    return (await readJob(store, jobId)) ?? out.job;
  }
  return out.job;
}
