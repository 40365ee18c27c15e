/**
 * The row runner: one Cloud Tasks delivery runs one row through the core (engine, checkpoints,
 * result document). Throwing makes Cloud Tasks retry per `retryConfig`; on the last attempt the core
 * records the row as failed and returns, so every job finishes. `rateLimits` caps rows in flight
 * across all jobs (the Gemini quota guard); per-job concurrency is the core's lanes.
 */
import { z } from "zod";
import { onTaskDispatched, type Request } from "firebase-functions/v2/tasks";
import type { RowTask, TaskContext } from "@flowcraft/core";
import { ROW_TASK_RETRY, ROW_TASK_TIMEOUT_SECONDS } from "../config/function-options";
import { GEMINI_API_KEY, ROW_QUEUE_MAX_CONCURRENT, ROW_QUEUE_MAX_PER_SECOND } from "../config/params";
import { getDeps } from "../runtime/deps";

export const RowTaskPayload = z.object({
  jobId: z.string().min(1),
  rowIndex: z.number().int().nonnegative(),
  pass: z.number().int().nonnegative(),
  lane: z.string().min(1),
});

/** What the core is told about this delivery (retryCount comes from X-CloudTasks-TaskRetryCount). */
export function taskContextOf(req: Pick<Request<unknown>, "retryCount" | "id">, maxAttempts: number): TaskContext {
  const retryCount = Number.isFinite(req.retryCount) ? req.retryCount : 0;
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
    const parsed = RowTaskPayload.safeParse(req.data);
    if (!parsed.success) {
      // A malformed payload would fail the same way on every attempt: drop it.
      deps.logger.error({ taskId: req.id, issues: parsed.error.issues.length }, "row task payload rejected");
      return;
    }
    await deps.handlers.runRowTask(parsed.data, taskContextOf(req, ROW_TASK_RETRY.maxAttempts));
  },
);
