/**
 * Names, timeouts and retry settings of the exported functions, in one place. Timeouts stay within
 * the platform maxima: event triggers ≤ 540 s, callables ≤ 3600 s, task and scheduled ≤ 1800 s.
 */

/** Exported name of the row task function; the task queue is addressed by it. */
export const ROW_TASK_FUNCTION = "runBatchRow";

/** A row may generate video (minutes per call): the task function gets the task maximum. */
export const ROW_TASK_TIMEOUT_SECONDS = 1800;
/** Cloud Tasks waits this long for the handler; matches the function timeout (range 15–1800 s). */
export const ROW_TASK_DISPATCH_DEADLINE_SECONDS = 1800;

/**
 * Delivery attempts of one row task. The engine already retries brief AI blips in-process; these
 * attempts cover longer outages (per-minute quotas: backoff capped at 60 s) and crashes, about
 * three minutes in all (2+4+8+16+32+60+60 s). On the last one the row is recorded as failed; the
 * user can retry failed rows later. Within the core's recommendation (6–10 attempts, ≤ 60 s).
 */
export const ROW_TASK_RETRY = {
  maxAttempts: 8,
  minBackoffSeconds: 2,
  maxBackoffSeconds: 60,
  maxDoublings: 5,
} as const;

/** Result trigger: counting and dispatching are short; retried on failure (`retry: true`). */
export const TRIGGER_TIMEOUT_SECONDS = 120;
export const BATCH_CALLABLE_TIMEOUT_SECONDS = 120;
/**
 * createBatch reads an upload of up to 100,000 rows three times and writes its chunks (about 100
 * MB for 100,000 rows x 5 cells of 200 B: measured in docs/firebase.md); 540 s leaves room.
 */
export const CREATE_CALLABLE_TIMEOUT_SECONDS = 540;
export const PREVIEW_TIMEOUT_SECONDS = 900;
export const GENERATE_TIMEOUT_SECONDS = 900;
export const RECONCILE_TIMEOUT_SECONDS = 540;
export const RECONCILE_SCHEDULE = "every 5 minutes";

/**
 * Work older than this without progress is re-driven by the reconciler: longer than one full row
 * attempt (task timeout), so a slow video row is never mistaken for a lost one.
 */
export const RECONCILE_STUCK_AFTER_MS = (ROW_TASK_TIMEOUT_SECONDS + 120) * 1000;
