/**
 * A row whose attempt failed retryably is not finished: its task throws and the queue runs it again
 * later. Meanwhile its lane records why it waits (`Lane.waiting`: error, attempt, expected next
 * try), and a roll-up copies the waiting rows into the job doc (`Job.retrying`), so clients can
 * show "retrying" and why instead of a frozen "pending". The row commit clears it.
 */
import type { ErrorInfo } from "../errors";
import { retryBackoffMs } from "../ports/task-backoff";
import type { RowTask } from "./api";
import type { BatchContext } from "./context";
import { rollUp, waitOf } from "./roll-up";
import { Lane, lanePath } from "./state";

interface WaitInput {
  task: RowTask;
  laneIndex: number;
  pos: number;
  retryCount: number;
  error: ErrorInfo;
}

/** Best effort (the retry happens either way): records the wait on the lane, then rolls up. */
export async function recordWait(ctx: BatchContext, w: WaitInput): Promise<void> {
  const { store, clock, logger } = ctx.deps;
  const now = clock.now();
  const wait = waitOf({ rowIndex: w.task.rowIndex, retryCount: w.retryCount, error: w.error, now, nextAttemptAt: nextAttemptAt(ctx, w, now) });
  try {
    const written = await store.runTransaction(async (tx) => {
      const doc = await tx.get(lanePath(w.task.jobId, w.laneIndex));
      if (!doc) return false;
      const lane = Lane.parse(doc.data);
      if (lane.pass !== w.task.pass || lane.current !== w.pos || lane.gen !== (w.task.gen ?? 0)) return false;
      tx.set(lanePath(w.task.jobId, w.laneIndex), { ...lane, waiting: wait, updatedAt: now });
      return true;
    });
    if (written) await rollUp(ctx, w.task.jobId);
  } catch (err) {
    logger.warn({ jobId: w.task.jobId, row: w.task.rowIndex, err: err instanceof Error ? err.name : "unknown" }, "row wait not recorded");
  }
}

/** When the queue will try again: its backoff for this retry, stretched by the error's Retry-After. */
function nextAttemptAt(ctx: BatchContext, w: WaitInput, now: number): number | null {
  const policy = ctx.deps.taskRetry;
  if (!policy) return null;
  return now + Math.max(retryBackoffMs(policy, w.retryCount + 1), w.error.retryAfterMs ?? 0);
}
