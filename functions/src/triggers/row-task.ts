/**
 * The row runner: one Cloud Tasks delivery runs one row through the core (claim, engine,
 * checkpoints, result document, next row of the lane). When the provider asked for a delay, the
 * core re-enqueues the row's next attempt with that delay (`scheduleDelaySeconds`) and returns
 * success: Cloud Tasks' own backoff ignores Retry-After. Any other expected retry comes back as a
 * RetryableError, answered 503 (an HttpsError, so firebase-functions does not log it as an
 * unhandled error) and retried per `retryConfig`. On the row's last attempt the core records the
 * row as failed and returns, so every job finishes. `rateLimits` caps rows in flight across all
 * jobs (the Gemini quota guard); per-job concurrency is the core's lanes. The payload is parsed by
 * the core (it is data from the queue).
 */
import { HttpsError } from "firebase-functions/v2/https";
import { onTaskDispatched, type Request } from "firebase-functions/v2/tasks";
import { RetryableError, deliveryContext, type RowTask, type TaskContext } from "@flowcraft/core";
import { ROW_TASK_RETRY, ROW_TASK_TIMEOUT_SECONDS } from "../config/function-options";
import { GEMINI_API_KEY, ROW_QUEUE_MAX_CONCURRENT, ROW_QUEUE_MAX_PER_SECOND } from "../config/params";
import { getDeps } from "../runtime/deps";

type RowTaskRetry = { [K in keyof typeof ROW_TASK_RETRY]: number };

/**
 * What the core is told about this delivery. `retryCount` comes from the X-CloudTasks-TaskRetryCount
 * header (0 on the first attempt; it also counts attempts that never reached the handler, as
 * maxAttempts does), so the last attempt is retryCount + 1 = maxAttempts. The budget and
 * Cloud Tasks' backoff (from `retryConfig`) let the core keep one budget across re-enqueued attempts.
 */
export function taskContextOf(req: Pick<Request<unknown>, "retryCount" | "id">, retry: RowTaskRetry = ROW_TASK_RETRY): TaskContext {
  const retryCount = Number.isInteger(req.retryCount) && req.retryCount >= 0 ? req.retryCount : 0;
  const policy = {
    maxAttempts: retry.maxAttempts,
    minBackoffMs: retry.minBackoffSeconds * 1000,
    maxBackoffMs: retry.maxBackoffSeconds * 1000,
    maxDoublings: retry.maxDoublings,
  };
  return deliveryContext(policy, retryCount, req.id ?? "");
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
    try {
      await deps.handlers.runRowTask(req.data, taskContextOf(req));
    } catch (err) {
      // Expected: the core logged it at info level. Still non-2xx, so Cloud Tasks retries.
      if (err instanceof RetryableError) throw new HttpsError("unavailable", "The row will be retried");
      throw err;
    }
  },
);
