/** The banner of a paused batch: why it is paused (the breaker's cause too) and what resume does. */
import { useEffect, useState } from "react";
import { useBackend } from "../backend/backend-context";
import { toBackendError, type ErrorInfo, type Job } from "../backend/types";
import { formatUsd } from "@core/governor/format-usd";
import { isPaused } from "@core/batch/statuses";
import { explainResumeError, parseBudgetInput, spentLine, suggestedBudget } from "../lib/budget-raise";
import { pauseText } from "../lib/pause-reason";
import { ErrorBanner } from "../ui/feedback";

export function PausedBanner({ job, onJob }: { job: Job; onJob: (job: Job) => void }) {
  if (!isPaused(job.status)) return null;
  const rowsLeft = Math.max(0, job.totalRows - job.completedRows - job.failedRows);
  const t = pauseText({ pausedReason: job.pausedReason, pauseDetail: job.pauseDetail, rowsLeft });
  return (
    <div className="banner warn" role="status" data-testid="paused-banner">
      <div>
        <strong>{t.title}</strong> No new rows start; rows that were already running finish and are counted.
        {job.pausedReason === "budget" && <> {spentLine(job)}</>}
        {t.cause && job.pausedReason !== "budget" && <> Last error: {t.cause}</>}
        <div>{t.resume}</div>
        {job.pausedReason === "budget" && <RaiseBudget job={job} onJob={onJob} />}
      </div>
    </div>
  );
}

/** "Raise budget to $X and resume": the new budget, checked here, then a resume carrying it. */
function RaiseBudget({ job, onJob }: { job: Job; onJob: (job: Job) => void }) {
  const { backend } = useBackend();
  const suggested = suggestedBudget(job);
  const [text, setText] = useState(formatUsd(suggested).slice(1));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  // A new spend figure (rows in flight at the pause finished) moves the suggestion along.
  useEffect(() => setText(formatUsd(suggested).slice(1)), [suggested]);
  const parsed = parseBudgetInput(text, job);
  const submit = (): void => {
    if (!parsed.ok) return;
    setBusy(true);
    setError(null);
    backend
      .resume(job.id, { budgetUsd: parsed.usd })
      .then(onJob)
      .catch((err: unknown) => setError(explainResumeError(toBackendError(err).info, job)))
      .finally(() => setBusy(false));
  };
  return (
    <form
      className="row"
      style={{ gap: 8, alignItems: "flex-end", marginTop: 8 }}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label className="field">
        New budget (USD)
        <input inputMode="decimal" value={text} onChange={(e) => setText(e.target.value)} aria-invalid={!parsed.ok} style={{ width: 120 }} />
      </label>
      <button type="submit" className="primary" disabled={busy || !parsed.ok}>
        {parsed.ok ? `Raise budget to ${formatUsd(parsed.usd)} and resume` : "Raise budget and resume"}
      </button>
      {!parsed.ok && <span className="hint">{parsed.message}</span>}
      {error && <ErrorBanner title="The batch did not resume" error={error} />}
    </form>
  );
}
