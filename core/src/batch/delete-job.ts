/**
 * deleteJob: removes a batch and everything that belongs to it. Two steps, so a crash between them
 * loses nothing:
 *   1. one transaction checks the job may go (not running: `processing` and `paused` are refused,
 *      cancel first), deletes the job document, releases a pending job's owner slot and writes
 *      the marker `batch_deletes/{jobId}` (what step 2 needs once the job document is gone);
 *   2. the purge: the job's subtree (rows, lanes, claims, results, checkpoints, passes) with the
 *      store's `deleteTree` (webhook events included), its media with the blob store's `deletePrefix`, the request-id records
 *      that name it, its webhook outbox entries, a staged create's marker, the governor's per-job slot documents, then the
 *      marker itself.
 * From step 1 on, every handler sees no job (not_found; tasks and triggers of it do nothing). The
 * purge is idempotent: `finishDeletes` (start-up and the retention sweep) completes markers a
 * crash left behind.
 */
import { z } from "zod";
import { JobCallLimits } from "../governor/port";
import { jobKey } from "../governor/held-permits";
import { slotDocPath } from "../governor/store-docs";
import { assertOwned, preconditionFailed } from "./access";
import type { Caller } from "./api";
import type { BatchContext } from "./context";
import { readJob } from "./context";
import { stagingPath } from "./create-staging";
import { jobPath } from "./model";
import { releaseSlot } from "./owner-slots";
import { REQUESTS } from "./request-ids";
import type { JobState } from "./state";
import { canDelete, isPaused, isPending } from "./statuses";
import { purgeWebhookOutbox } from "../webhooks/webhook-outbox";

export const DELETES = "batch_deletes";
export const deleteMarkerPath = (jobId: string): string => `${DELETES}/${jobId}`;

export const DeleteMarker = z.object({
  jobId: z.string(),
  ownerId: z.string(),
  /** When the job document was deleted (epoch ms). */
  at: z.number(),
  /** The job's per-job call limits: they name the governor's slot documents of the job. */
  callLimits: JobCallLimits.nullable(),
});
export type DeleteMarker = z.infer<typeof DeleteMarker>;

function refusal(job: JobState): Error {
  const what = isPaused(job.status) ? "is paused" : job.cancelRequested ? "is still cancelling" : "is running";
  const next = job.cancelRequested ? "wait until its rows in flight finish" : "cancel it first";
  return preconditionFailed(`Batch ${job.id} ${what}: ${next}, then delete it`);
}

/** Deletes the caller's batch (see the header). A batch already gone is `not_found`. */
export async function deleteJob(ctx: BatchContext, caller: Caller, jobId: string): Promise<{ id: string }> {
  const marker = await ctx.deps.store.runTransaction(async (tx) => {
    const job = assertOwned(await readJob(tx, jobId), caller, jobId);
    if (!canDelete(job)) throw refusal(job);
    const m: DeleteMarker = { jobId, ownerId: job.ownerId, at: ctx.deps.clock.now(), callLimits: job.callLimits ?? null };
    tx.set(deleteMarkerPath(jobId), m);
    tx.delete(jobPath(jobId));
    if (isPending(job.status)) releaseSlot(tx, job);
    return m;
  });
  ctx.deps.logger.info({ jobId }, "batch deleted");
  await purgeJob(ctx, marker);
  return { id: jobId };
}

/** Step 2 (idempotent): everything of the job but its already deleted document, then the marker. */
export async function purgeJob(ctx: BatchContext, marker: DeleteMarker): Promise<void> {
  const { store, blobs } = ctx.deps;
  const { jobId } = marker;
  await store.deleteTree(jobPath(jobId));
  await blobs.deletePrefix(jobPath(jobId));
  await store.delete(stagingPath(jobId));
  const requests = await store.query(REQUESTS, { where: [{ field: "jobId", op: "==", value: jobId }] });
  for (const r of requests) await store.delete(r.path);
  await purgeWebhookOutbox(store, jobId);
  for (const key of jobSlotKeys(marker.callLimits)) await store.delete(slotDocPath(jobKey(jobId, key)));
  await ctx.deps.purgeHostRecords?.(jobId);
  await store.delete(deleteMarkerPath(jobId));
}

/** The governor keys a job's call limits can have made (`kind:text`, `model:veo-...`). */
function jobSlotKeys(limits: JobCallLimits | null): string[] {
  if (!limits) return [];
  return [...Object.keys(limits.byKind ?? {}).map((k) => `kind:${k}`), ...Object.keys(limits.byModel ?? {}).map((m) => `model:${m}`)];
}

/** Completes the purges a crash interrupted. Returns how many it finished. */
export async function finishDeletes(ctx: BatchContext): Promise<number> {
  const pending = await ctx.deps.store.query(DELETES, { limit: 100 });
  for (const doc of pending) await purgeJob(ctx, DeleteMarker.parse(doc.data));
  return pending.length;
}
