/** Read handlers: one job, an owner's jobs (newest first), a job's results in row order. */
import type { Caller, ResultsPage } from "./api";
import { ValidationError } from "../errors";
import { assertOwned } from "./access";
import type { BatchContext } from "./context";
import { readJob, readLanes } from "./context";
import { laneTotals } from "./finalize";
import { toPublicJob } from "./job-view";
import { resultsPath, RowResult, type Job } from "./model";
import { JobState } from "./state";

export async function getJob(ctx: BatchContext, caller: Caller, jobId: string): Promise<Job> {
  return toPublicJob(assertOwned(await readJob(ctx.deps.store, jobId), caller, jobId));
}

export async function listJobs(ctx: BatchContext, caller: Caller, opts: { limit?: number } = {}): Promise<Job[]> {
  const docs = await ctx.deps.store.query("batch_jobs", {
    where: [{ field: "ownerId", op: "==", value: caller.ownerId }],
    orderBy: { field: "createdAt", direction: "desc" },
    limit: Math.min(Math.max(opts.limit ?? 50, 1), 200),
  });
  return docs.map((d) => toPublicJob(JobState.parse(d.data)));
}

/** Results ordered by rowIndex; the cursor is the last row index returned. */
export async function listResults(
  ctx: BatchContext,
  caller: Caller,
  jobId: string,
  opts: { limit?: number; cursor?: string | null } = {},
): Promise<ResultsPage> {
  assertOwned(await readJob(ctx.deps.store, jobId), caller, jobId);
  const limit = Math.min(Math.max(opts.limit ?? 100, 1), 1000);
  const after = parseCursor(opts.cursor);
  const docs = await ctx.deps.store.query(resultsPath(jobId), {
    where: after !== null ? [{ field: "rowIndex", op: ">", value: after }] : [],
    orderBy: { field: "rowIndex" },
    limit,
  });
  const results = docs.map((d) => RowResult.parse(d.data));
  const last = results[results.length - 1];
  return { results, nextCursor: results.length === limit && last ? String(last.rowIndex) : null };
}

/** A cursor is a row index this handler returned; anything else is refused, not read as "start over". */
function parseCursor(cursor: string | null | undefined): number | null {
  if (cursor === null || cursor === undefined || cursor === "") return null;
  if (/^\d{1,9}$/.test(cursor)) return Number(cursor);
  throw new ValidationError("The results cursor is not valid", [{ path: "cursor", message: "must be the nextCursor of an earlier page (a row index)" }]);
}

/**
 * The job's exact counts from its lanes (the job document trails them by the roll-up interval)
 * and the rows in flight: what a host that waits for a paused job's running rows to finish reads.
 */
export async function exactProgress(
  store: BatchContext["deps"]["store"],
  jobId: string,
): Promise<{ inFlight: number; completed: number; failed: number; costUsd: number } | null> {
  const job = await readJob(store, jobId);
  if (!job) return null;
  const lanes = await readLanes(store, jobId, job.pass);
  const totals = laneTotals(job, lanes);
  return { inFlight: lanes.filter((l) => l.current !== null).length, completed: totals.completed, failed: totals.failed, costUsd: totals.costUsd };
}
