/**
 * Retention: deletes finished batches (`completed`, `failed`, `cancelled`) whose `finishedAt` is
 * more than `retentionDays` days old, through the same two-step delete as a user's (delete-job.ts),
 * and first completes deletes a crash interrupted. Hosts run it on a schedule (Firebase: a daily
 * scheduled function; local: at start-up and daily). The query is on `finishedAt` alone (a
 * single-field index on Firestore): a job a retry or resume reopened is skipped by the delete's own
 * status check. Bounded per run (`maxJobs`); the next run continues.
 */
import { z } from "zod";
import type { BatchContext } from "./context";
import { deleteJob, finishDeletes } from "./delete-job";
import { PermanentError } from "../errors";

const DAY_MS = 86_400_000;

/** Days a finished batch is kept (whole days, 1 to 36,500). */
export const RetentionDays = z.number().int("must be whole days").min(1, "must be at least 1").max(36_500, "must be at most 36500");

export interface RetentionOutcome {
  deleted: number;
  /** Interrupted deletes completed. */
  resumed: number;
}

/** Without `retentionDays`, only completes interrupted deletes (hosts run that at start-up either way). */
export async function purgeExpired(ctx: BatchContext, opts: { retentionDays?: number; maxJobs?: number }): Promise<RetentionOutcome> {
  const resumed = await finishDeletes(ctx);
  if (opts.retentionDays === undefined) return { deleted: 0, resumed };
  const days = RetentionDays.parse(opts.retentionDays);
  const cutoff = ctx.deps.clock.now() - days * DAY_MS;
  const expired = await ctx.deps.store.query<{ ownerId?: unknown }>("batch_jobs", {
    where: [{ field: "finishedAt", op: "<", value: cutoff }],
    orderBy: { field: "finishedAt" },
    limit: opts.maxJobs ?? 200,
  });
  let deleted = 0;
  for (const doc of expired) {
    if (typeof doc.data.ownerId !== "string") continue;
    try {
      await deleteJob(ctx, { ownerId: doc.data.ownerId }, doc.id);
      deleted++;
    } catch (err) {
      // Reopened since (running again) or deleted meanwhile: not this run's to delete.
      if (!(err instanceof PermanentError)) throw err;
    }
  }
  if (deleted > 0 || resumed > 0) ctx.deps.logger.info({ deleted, resumed, retentionDays: days }, "expired batches deleted");
  return { deleted, resumed };
}
