/**
 * The row commit: ONE transaction that creates the result doc, counts the row in its lane's
 * counters and moves the lane to its next position (own range, else steal). It is guarded by
 * `lane.current == position` for this pass, so a row is counted exactly once however many
 * deliveries reach this point: the first commit moves `current` away, every later one is a no-op.
 */
import { addUsage } from "../ai/port";
import type { RowTask } from "./api";
import type { BatchContext } from "./context";
import { laneMayRun, steal, takeOwn } from "./lanes";
import { jobPath, resultPath, RowResult } from "./model";
import { JobState, Lane, lanePath, lanesPath } from "./state";

export interface CommitOutcome {
  committed: boolean;
  /** The lane after the commit (or as found, when not committed); null if it no longer exists. */
  lane: Lane | null;
}

export async function commitRow(ctx: BatchContext, task: RowTask, laneIndex: number, pos: number, result: RowResult): Promise<CommitOutcome> {
  const { store, clock } = ctx.deps;
  return store.runTransaction(async (tx) => {
    const [jobDoc, laneDoc, existing] = await tx.getAll([jobPath(task.jobId), lanePath(task.jobId, laneIndex), resultPath(task.jobId, task.rowIndex)]);
    if (!jobDoc || !laneDoc) return { committed: false, lane: null };
    const job = JobState.parse(jobDoc.data);
    const lane = Lane.parse(laneDoc.data);
    if (lane.pass !== task.pass || lane.current !== pos) return { committed: false, lane };
    const prior = existing ? RowResult.parse(existing.data) : null;
    if (prior && prior.pass === task.pass) return { committed: false, lane };
    let victim: Lane | null = null;
    lane.current = null;
    if (laneMayRun(lane, job) && !takeOwn(lane)) {
      const others = (await tx.query(lanesPath(task.jobId))).map((d) => Lane.parse(d.data));
      victim = steal(lane, others);
    }
    // Writes only after every read (Firestore's rule).
    if (prior) tx.set(resultPath(task.jobId, task.rowIndex), result);
    else tx.create(resultPath(task.jobId, task.rowIndex), result);
    if (result.status === "succeeded") lane.succeeded += 1;
    else {
      lane.failed += 1;
      if (result.error) lane.lastError = { code: result.error.code, message: result.error.message, retryable: result.error.retryable };
    }
    lane.usage = addUsage(lane.usage, result.usage);
    lane.updatedAt = clock.now();
    tx.set(lanePath(task.jobId, laneIndex), lane);
    if (victim) tx.set(lanePath(task.jobId, victim.index), victim);
    return { committed: true, lane };
  });
}

/** Ends the lane's current position without a result (cancel, or the job is no longer running). */
export async function stopLane(ctx: BatchContext, jobId: string, laneIndex: number, pass: number, pos: number): Promise<boolean> {
  const { store, clock } = ctx.deps;
  return store.runTransaction(async (tx) => {
    const doc = await tx.get(lanePath(jobId, laneIndex));
    if (!doc) return false;
    const lane = Lane.parse(doc.data);
    if (lane.pass !== pass || lane.current !== pos) return false;
    tx.set(lanePath(jobId, laneIndex), { ...lane, current: null, updatedAt: clock.now() });
    return true;
  });
}

