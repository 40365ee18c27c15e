/**
 * Scheduled reconciler: finds stuck work (a lane whose row has no live task, a job that should
 * have finalized) and re-drives it. The threshold exceeds one full row attempt, so a slow video row
 * still running is not mistaken for a lost one.
 */
import { onSchedule } from "firebase-functions/v2/scheduler";
import { RECONCILE_SCHEDULE, RECONCILE_STUCK_AFTER_MS, RECONCILE_TIMEOUT_SECONDS } from "../config/function-options";
import { getDeps } from "../runtime/deps";

export const reconcileBatches = onSchedule(
  { schedule: RECONCILE_SCHEDULE, timeoutSeconds: RECONCILE_TIMEOUT_SECONDS, memory: "512MiB", retryCount: 0 },
  async () => {
    const deps = getDeps({ withAi: false });
    const result = await deps.handlers.reconcile({ olderThanMs: RECONCILE_STUCK_AFTER_MS });
    deps.logger.info({ ...result }, "reconcile finished");
  },
);
