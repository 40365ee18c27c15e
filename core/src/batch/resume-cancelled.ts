/**
 * Resuming a cancelled job: a NEW pass whose work list is the rows that never ran (no result doc),
 * i.e. rerunRows (rerun-rows.ts) over `not-run` with the job's flow. Rows that ran keep their
 * results; the job's skipped count goes back to 0 and the new pass finalizes with the usual counts.
 */
import type { Caller } from "./api";
import type { BatchContext } from "./context";
import { rerunRows } from "./rerun-rows";
import type { JobState } from "./state";
import { isCancelled, statusesWhere } from "./statuses";

export async function resumeCancelled(ctx: BatchContext, caller: Caller, job: JobState): Promise<JobState> {
  const nothingMessage = `Batch ${job.id} was cancelled after every row had run; there is nothing to resume`;
  const { job: resumed, rows } = await rerunRows(ctx, caller, job.id, { rows: "not-run" }, { from: statusesWhere(isCancelled), nothingMessage });
  ctx.deps.logger.info({ jobId: job.id, pass: resumed.pass, rows }, "cancelled batch resumed");
  return resumed;
}
