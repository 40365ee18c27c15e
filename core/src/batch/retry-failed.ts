/**
 * retryFailed: a new pass over ONLY the failed rows of a finished job, with the job's flow. It is
 * rerunRows (rerun-rows.ts) over `failed`: each row keeps the outputs of the nodes that had
 * completed (their run hashes still match) and runs again from the node that failed.
 */
import type { Caller } from "./api";
import { assertOwned, preconditionFailed } from "./access";
import type { BatchContext } from "./context";
import { readJob } from "./context";
import { rerunRows } from "./rerun-rows";
import type { JobState } from "./state";
import { canRetryFailed, statusesWhere } from "./statuses";

export async function retryFailed(ctx: BatchContext, caller: Caller, jobId: string): Promise<{ job: JobState; rows: number }> {
  const before = assertOwned(await readJob(ctx.deps.store, jobId), caller, jobId);
  if (!canRetryFailed(before.status)) {
    throw preconditionFailed(`Batch ${jobId} is ${before.status}; only a finished batch can retry its failed rows`);
  }
  const out = await rerunRows(
    ctx,
    caller,
    jobId,
    { rows: "failed" },
    { from: statusesWhere(canRetryFailed), nothingMessage: `Batch ${jobId} has no failed rows to retry` },
  );
  ctx.deps.logger.info({ jobId, pass: out.job.pass, rows: out.rows }, "retrying failed rows");
  return out;
}
