/**
 * Task queue port with Cloud Tasks semantics.
 * - `enqueue` with a deterministic id (`[A-Za-z0-9_-]`, ≤500 chars): a duplicate id resolves
 *   `"exists"` (the task is already queued, running or recently done) and is not an error.
 * - Delivery is at least once: a task may run twice, concurrently or after it succeeded.
 * - A handler that throws is retried with backoff per the queue's `RetryPolicy` until
 *   `maxAttempts`; the handler sees its attempt number and whether it is the last, so it can record
 *   a failure instead of failing forever.
 * - Queue-wide limits (max concurrent dispatches, max dispatches per second) protect the AI quota;
 *   per-job concurrency is not the queue's job.
 * - An id stays reserved after its task finished or was deleted (about an hour, like Cloud Tasks:
 *   `DEFAULT_ID_REUSE_WINDOW_MS`), so a new pass needs a new id. An invalid id throws.
 * - Retry waits follow Cloud Tasks (`retryBackoffMs` in task-backoff.ts); `maxAttempts < 0` means
 *   unlimited. Adapters pass `conformance/task-queue-conformance.ts`.
 */
export interface TaskQueue<P = unknown> {
  enqueue(task: { id: string; payload: P; delayMs?: number }): Promise<"enqueued" | "exists">;
  /** Remove a queued task; no-op when it is absent or already running. */
  delete(id: string): Promise<void>;
}

export interface RetryPolicy {
  maxAttempts: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  /** Doublings before backoff grows linearly (Cloud Tasks' maxDoublings). */
  maxDoublings: number;
}

export interface QueueLimits {
  maxConcurrentDispatches: number;
  maxDispatchesPerSecond: number;
}

/** What a task handler is told about its delivery. */
export interface TaskContext {
  /** 0 on the first attempt (Cloud Tasks' retryCount). */
  retryCount: number;
  /** True when a failure now will not be retried. */
  isLastAttempt: boolean;
  taskId: string;
  /**
   * The queue's attempt budget per task (negative = unlimited). The row handler needs it to keep
   * one budget across a retry it re-enqueues as a new task; without it, it never re-enqueues.
   */
  maxAttempts?: number;
  /** How long the queue waits before retrying this task if this attempt fails. */
  retryDelayMs?: number;
}

export type TaskHandler<P = unknown> = (payload: P, ctx: TaskContext) => Promise<void>;

/**
 * The deployed row queue's own limits (Cloud Tasks `rateLimits`, the Firebase params
 * ROW_QUEUE_MAX_PER_SECOND / ROW_QUEUE_MAX_CONCURRENT default to these; the simulator models them).
 * A safety net only, set high enough never to bind before the AI-call governor does: Cloud Tasks
 * allows at most 500 dispatches per second and 5,000 concurrent dispatches per queue (RateLimits
 * reference, docs/firebase.md).
 */
export const DEPLOYED_ROW_QUEUE_LIMITS = { maxDispatchesPerSecond: 500, maxConcurrentDispatches: 1_000 } as const;
