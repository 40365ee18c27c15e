/**
 * The row runner: one Cloud Tasks delivery runs one row through the core (claim, engine,
 * checkpoints, result document, next row of the lane). Throwing makes Cloud Tasks retry per
 * `retryConfig`; on the last attempt the core records the row as failed and returns, so every job
 * finishes. `rateLimits` caps rows in flight across all jobs (the Gemini quota guard); per-job
 * concurrency is the core's lanes. The payload is parsed by the core (it is data from the queue).
 */
import { onTaskDispatched, type Request } from "firebase-functions/v2/tasks";
import type { RowTask, TaskContext } from "@flowcraft/core";
import { ROW_TASK_RETRY, ROW_TASK_TIMEOUT_SECONDS } from "../config/function-options";
import { GEMINI_API_KEY, ROW_QUEUE_MAX_CONCURRENT, ROW_QUEUE_MAX_PER_SECOND } from "../config/params";
import { getDeps } from "../runtime/deps";

/**
 * What the core is told about this delivery. `retryCount` comes from the X-CloudTasks-TaskRetryCount
 * header (0 on the first attempt; it also counts attempts that never reached the handler, as
 * maxAttempts does), so the last attempt is retryCount + 1 = maxAttempts.
 */
export function taskContextOf(req: Pick<Request<unknown>, "retryCount" | "id">, maxAttempts: number): TaskContext {
  const retryCount = Number.isInteger(req.retryCount) && req.retryCount >= 0 ? req.retryCount : 0;
  return { retryCount, isLastAttempt: retryCount + 1 >= maxAttempts, taskId: req.id ?? "" };
}

export const runBatchRow = onTaskDispatched<RowTask>(
  {
    retryConfig: { ...ROW_TASK_RETRY },
    rateLimits: { maxConcurrentDispatches: ROW_QUEUE_MAX_CONCURRENT, maxDispatchesPerSecond: ROW_QUEUE_MAX_PER_SECOND },
    timeoutSeconds: ROW_TASK_TIMEOUT_SECONDS,
    memory: "2GiB",
    // Rows mostly wait on the AI; a few share an instance (2 GiB holds several videos in flight).
    concurrency: 8,
    secrets: [GEMINI_API_KEY],
  },
  async (req) => {
    const deps = getDeps({ withAi: true });
    await deps.handlers.runRowTask(req.data, taskContextOf(req, ROW_TASK_RETRY.maxAttempts));
  },
);
