/** The banner of a paused batch: why it is paused (the breaker's cause too) and what resume does. */
import type { Job } from "../backend/types";
import { pauseText } from "../lib/pause-reason";

export function PausedBanner({ job }: { job: Job }) {
  if (job.status !== "paused") return null;
  const rowsLeft = Math.max(0, job.totalRows - job.completedRows - job.failedRows);
  const t = pauseText({ pausedReason: job.pausedReason, pauseDetail: job.pauseDetail, rowsLeft });
  return (
    <div className="banner warn" role="status" data-testid="paused-banner">
      <div>
        <strong>{t.title}</strong> No new rows start; rows that were already running finish and are counted.
        {t.cause && <> Last error: {t.cause}</>}
        <div>{t.resume}</div>
      </div>
    </div>
  );
}
