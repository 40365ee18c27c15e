/**
 * Resuming a cancelled job: a NEW pass whose work list is the rows that never ran (no result doc),
 * opened like a retry pass (retry-failed.ts: owner limit, lanes rebuilt, counts so far kept as the
 * pass base). Rows that ran keep their results; the job's skipped count goes back to 0 and the new
 * pass finalizes with the usual counts.
 */
import type { Caller } from "./api";
import { preconditionFailed } from "./access";
import type { BatchContext } from "./context";
import { resultsPath } from "./model";
import { runNewPass } from "./retry-failed";
import type { JobState } from "./state";
import type { Doc } from "../ports/store";

const PAGE = 1_000;

export async function resumeCancelled(ctx: BatchContext, caller: Caller, job: JobState): Promise<JobState> {
  const rows = await notRunRows(ctx, job);
  if (rows.length === 0) throw preconditionFailed(`Batch ${job.id} was cancelled after every row had run; there is nothing to resume`);
  const resumed = await runNewPass(ctx, caller, job, { rows, from: ["cancelled"], failedRows: job.failedRows });
  ctx.deps.logger.info({ jobId: job.id, pass: resumed.pass, rows: rows.length }, "cancelled batch resumed");
  return resumed;
}

/** Row indices 0..totalRows-1 that have no result, ascending (results are read page by page). */
async function notRunRows(ctx: BatchContext, job: JobState): Promise<number[]> {
  const ran = new Set<number>();
  let after: Doc | undefined;
  for (;;) {
    const page = await ctx.deps.store.query<{ rowIndex?: number }>(resultsPath(job.id), {
      orderBy: { field: "rowIndex" },
      limit: PAGE,
      ...(after ? { startAfter: after } : {}),
    });
    for (const d of page) if (typeof d.data.rowIndex === "number") ran.add(d.data.rowIndex);
    if (page.length < PAGE) break;
    after = page[page.length - 1];
  }
  const rows: number[] = [];
  for (let i = 0; i < job.totalRows; i++) if (!ran.has(i)) rows.push(i);
  return rows;
}
