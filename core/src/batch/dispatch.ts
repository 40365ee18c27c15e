/**
 * Turning lane state into queued row tasks. Enqueueing is idempotent (deterministic ids; "exists"
 * means the task is queued, running or done), so any handler may call `ensureLaneTask` for a
 * lane it has just read: that is how a crash between a commit and its enqueue gets repaired.
 */
import type { BatchContext } from "./context";
import { rowAt } from "./context";
import { makeRowTask, rowTaskId } from "./task-ids";
import type { Lane } from "./state";

/**
 * Enqueues the task for the lane's current position, if it has one. A row waiting for a delayed
 * retry gets that attempt's task, due at the recorded next try (so a repair keeps the delay);
 * `delay` overrides that (the re-enqueue itself passes the provider's delay unchanged).
 */
export async function ensureLaneTask(ctx: BatchContext, jobId: string, lane: Lane, delay?: number): Promise<"enqueued" | "exists" | "idle"> {
  if (lane.current === null) return "idle";
  const rowIndex = await rowAt(ctx, jobId, lane, lane.current);
  const payload = makeRowTask({ jobId, pass: lane.pass, rowIndex, laneIndex: lane.index, gen: lane.gen, attempt: lane.attemptBase });
  const delayMs = delay ?? Math.max(0, (lane.retry?.nextTryAt ?? 0) - ctx.deps.clock.now());
  return ctx.deps.queue.enqueue({ id: rowTaskId(payload), payload, ...(delayMs > 0 ? { delayMs } : {}) });
}

export async function ensureLaneTasks(ctx: BatchContext, jobId: string, lanes: Lane[]): Promise<number> {
  const results = await Promise.all(lanes.map((l) => ensureLaneTask(ctx, jobId, l)));
  return results.filter((r) => r === "enqueued").length;
}
