/**
 * onResultCreated (Firestore trigger, at least once, any order, maybe long after the fact). The row
 * was already counted by its commit; this handler only REPAIRS and SUMMARISES:
 *   - re-ensures the lane's current row task is queued (covers a crash between the commit and the
 *     enqueue that should follow it; "exists" is the normal answer),
 *   - rolls lane counters up into the job doc (throttled; while the lane is busy, only by asking
 *     for the window's roll-up task, so the usual trigger reads one document: the lane),
 *   - finalizes the job when the lane is idle and the pass is over.
 * For an idle lane only the result of the last row its commit counted takes the full path (steal,
 * roll-up, finalize check): a group of k rows would otherwise probe and steal k times at once.
 * Every step is idempotent, so duplicates and reordering are harmless.
 */
import type { Doc } from "../ports/store";
import type { BatchContext } from "./context";
import { ensureLaneTask } from "./dispatch";
import { maybeFinalize } from "./finalize";
import { requestRollUp, rollUp } from "./roll-up";
import { laneMayRun } from "./lanes";
import { finalizeIfIdle, stealWork } from "./row-commit";
import { jobPath } from "./model";
import { readLane, rowAt } from "./context";
import { isPassOpen } from "./statuses";
import { JobState, parseLaneIndex, type Lane } from "./state";
import { z } from "zod";

const ResultRef = z.object({ jobId: z.string(), rowIndex: z.number(), pass: z.number(), lane: z.string().optional() });

/**
 * The only fields of the created result that onResultCreated reads: a host whose trigger records
 * the created document (the local outbox) may keep just these instead of the whole result.
 */
export const RESULT_TRIGGER_FIELDS: readonly string[] = Object.keys(ResultRef.shape);

export async function onResultCreated(ctx: BatchContext, doc: Doc): Promise<void> {
  const ref = ResultRef.safeParse(doc.data);
  if (!ref.success) {
    ctx.deps.logger.warn({ path: doc.path }, "result trigger ignored an unreadable document");
    return;
  }
  const { jobId, lane: laneName, pass } = ref.data;
  const laneIndex = laneName ? parseLaneIndex(laneName) : null;
  // Read through the store's parsed-document cache when it has one: every result of a group
  // commit reads the same lane version, and the lane is only read here, never changed.
  const seen = laneIndex !== null ? await readLane(ctx.deps.store, jobId, laneIndex) : null;
  if (seen && seen.pass === pass && seen.current !== null) {
    // The usual case: the lane moved on to its next row. A busy lane means an open pass (a pass
    // ends only when every lane is idle), so the job doc need not be read.
    await ensureLaneTask(ctx, jobId, seen);
    await requestRollUp(ctx, jobId, pass);
    return;
  }
  if (seen && seen.pass === pass && !(await lastOfGroup(ctx, jobId, seen, ref.data.rowIndex))) {
    // An idle lane's group committed several rows at once: the trigger of its last row repairs
    // and summarises for all of them (same commit, same lane state), so the others stop here
    // instead of each probing for a steal on the lane that just committed.
    return;
  }
  const jobDoc = await ctx.deps.store.get(jobPath(jobId));
  if (!jobDoc) return;
  const job = JobState.parse(jobDoc.data);
  if (!isPassOpen(job.status)) return;
  let lane = seen;
  if (lane && lane.pass === job.pass && lane.current === null && laneMayRun(lane, job)) {
    // The commit left the lane idle but a crash may have prevented its steal: try again.
    lane = (await stealWork(ctx, jobId, lane.index, job.pass)) ?? lane;
  }
  if (lane && lane.pass === job.pass && lane.current !== null) await ensureLaneTask(ctx, jobId, lane);
  await rollUp(ctx, jobId, job);
  // Only an idle lane can be the last one: finalization is checked C times per pass, not per row.
  if (!lane) await maybeFinalize(ctx, jobId);
  else if (lane.current === null) await finalizeIfIdle(ctx, jobId, job.pass);
}

/**
 * Is this result the last row the idle lane's latest commit counted? That commit left `next` just
 * past its rows (an idle lane's `next` moves only when it takes a position again), so the last one
 * is at position `next − 1`. When in doubt (a lane that never ran, a work list that cannot be
 * read), true: the full path is always safe.
 */
async function lastOfGroup(ctx: BatchContext, jobId: string, lane: Lane, rowIndex: number): Promise<boolean> {
  if (lane.current !== null || lane.next === 0) return true;
  try {
    return (await rowAt(ctx, jobId, lane, lane.next - 1)) === rowIndex;
  } catch {
    return true;
  }
}
