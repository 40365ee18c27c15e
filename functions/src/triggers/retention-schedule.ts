/**
 * Daily retention: deletes finished batches older than RETENTION_DAYS (0 = keep them) and completes
 * deletes a crash interrupted (`batch_deletes` markers). Each run handles a bounded number of
 * batches; a backlog drains over the following days (or lower the schedule's interval).
 */
import { onSchedule } from "firebase-functions/v2/scheduler";
import { RETENTION_DAYS } from "../config/params";
import { getDeps } from "../runtime/deps";

export const RETENTION_SCHEDULE = "every day 03:17";

export const purgeExpiredBatches = onSchedule({ schedule: RETENTION_SCHEDULE, timeoutSeconds: 540, memory: "512MiB", retryCount: 0 }, async () => {
  const deps = getDeps({ withAi: false });
  const days = RETENTION_DAYS.value();
  const result = await deps.handlers.purgeExpired(days > 0 ? { retentionDays: days } : {});
  deps.logger.info({ ...result, retentionDays: days }, "retention sweep finished");
});
