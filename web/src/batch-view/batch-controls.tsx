/**
 * Actions on a batch: pause, resume (a paused batch, or a cancelled one's rows that never ran),
 * cancel, retry failed rows, change concurrency while it runs, download results.
 */
import { useEffect, useState } from "react";
import { canPause, canRetryFailed, canSetConcurrency, canStart, isActive, isCancelled, isPaused } from "@core/batch/statuses";
import { useBackend } from "../backend/backend-context";
import { BackendError, toBackendError, type ExportFormat, type Job } from "../backend/types";
import { explainResumeError } from "../lib/budget-raise";
import { ConcurrencySlider, SLIDER_MAX } from "../ui/concurrency-slider";
import { startDownload } from "../ui/download";
import { Dialog } from "../ui/dialog";
import { ErrorBanner, Spinner } from "../ui/feedback";
import { ExportDialog } from "./export-dialog";

interface Props {
  job: Job;
  onJob: (job: Job) => void;
  onRetried: () => void;
}

type Busy = null | "start" | "pause" | "resume" | "cancel" | "retry" | "concurrency" | ExportFormat;

export function BatchControls({ job, onJob, onRetried }: Props) {
  const { backend, config } = useBackend();
  const [busy, setBusy] = useState<Busy>(null);
  const [error, setError] = useState<BackendError | null>(null);
  const [concurrency, setConcurrency] = useState(job.concurrency);
  const [note, setNote] = useState<string | null>(null);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [exporting, setExporting] = useState(false);
  useEffect(() => setConcurrency(job.concurrency), [job.concurrency]);

  const act = (kind: Busy, fn: () => Promise<void>): void => {
    setBusy(kind);
    setError(null);
    setNote(null);
    fn()
      .catch((err: unknown) => {
        const e = toBackendError(err);
        // A budget-paused batch refuses a resume without room for one more row: say why in words.
        setError(kind === "resume" ? new BackendError(explainResumeError(e.info, job), e.status) : e);
      })
      .finally(() => setBusy(null));
  };
  const maxConcurrency = Math.max(Math.min(SLIDER_MAX, config.limits.maxConcurrency), job.concurrency);

  return (
    <section className="card field" aria-label="Batch actions" style={{ gap: 12 }}>
      <div className="row" style={{ gap: 12, alignItems: "flex-end" }}>
        {canStart(job.status) && job.startedAt === null && (
          <button type="button" className="primary" disabled={busy !== null} onClick={() => act("start", async () => onJob(await backend.start(job.id)))}>
            Start batch
          </button>
        )}
        {canPause(job) && (
          <button type="button" disabled={busy !== null} onClick={() => act("pause", async () => onJob(await backend.pause(job.id)))}>
            Pause batch
          </button>
        )}
        {isPaused(job.status) && (
          <button type="button" className="primary" disabled={busy !== null} onClick={() => act("resume", async () => onJob(await backend.resume(job.id)))}>
            Resume batch
          </button>
        )}
        {isCancelled(job.status) && job.skippedRows > 0 && (
          <button
            type="button"
            disabled={busy !== null}
            onClick={() =>
              act("resume", async () => {
                onJob(await backend.resume(job.id));
                setNote(`${job.skippedRows} row${job.skippedRows === 1 ? "" : "s"} that did not run queued.`);
              })
            }
          >
            Run the rows not run ({job.skippedRows})
          </button>
        )}
        {isActive(job.status) && (
          <button type="button" className="danger" disabled={busy !== null || job.cancelRequested} onClick={() => setConfirmCancel(true)}>
            {job.cancelRequested ? "Cancelling…" : "Cancel batch"}
          </button>
        )}
        {/* The server retries failed rows of a finished pass only; a cancelled batch resumes instead. */}
        {!isCancelled(job.status) && (
          <button
            type="button"
            disabled={busy !== null || job.failedRows === 0 || !canRetryFailed(job.status)}
            title={!canRetryFailed(job.status) ? "Available once the batch has finished" : undefined}
            onClick={() =>
              act("retry", async () => {
                const out = await backend.retryFailed(job.id);
                onRetried();
                onJob(out.job);
                setNote(`${out.rows} failed row${out.rows === 1 ? "" : "s"} queued again.`);
              })
            }
          >
            Retry failed rows{job.failedRows > 0 ? ` (${job.failedRows})` : ""}
          </button>
        )}
        {canSetConcurrency(job.status) && (
          <div className="row" style={{ alignItems: "flex-end" }}>
            <div style={{ minWidth: 260 }}>
              <ConcurrencySlider label="Concurrency (while running)" value={concurrency} max={maxConcurrency} onChange={setConcurrency} />
            </div>
            <button
              type="button"
              disabled={busy !== null || concurrency === job.concurrency}
              onClick={() => act("concurrency", async () => onJob(await backend.setConcurrency(job.id, concurrency)))}
            >
              Apply concurrency
            </button>
          </div>
        )}
        <div className="spacer" />
        {(["csv", "jsonl"] as const).map((format) => (
          <button
            key={format}
            type="button"
            disabled={busy !== null}
            onClick={() => act(format, async () => startDownload(await backend.exportFile(job, format)))}
            aria-label={`Download results as ${format.toUpperCase()}`}
          >
            Download {format.toUpperCase()}
          </button>
        ))}
        <button type="button" disabled={busy !== null} onClick={() => setExporting(true)}>
          Export…
        </button>
      </div>
      {busy && <Spinner label="Working…" />}
      {note && (
        <p className="hint" role="status">
          {note}
        </p>
      )}
      {error && <ErrorBanner title="That did not work" error={error.info} />}
      {exporting && (
        <ExportDialog
          job={job}
          canSignLinks={backend.kind === "firebase"}
          onClose={() => setExporting(false)}
          onExport={(format, choice) => {
            setExporting(false);
            act(format, async () => startDownload(await backend.exportFile(job, format, choice)));
          }}
        />
      )}
      {confirmCancel && (
        <ConfirmCancel
          job={job}
          onClose={() => setConfirmCancel(false)}
          onConfirm={() => {
            setConfirmCancel(false);
            act("cancel", async () => onJob(await backend.cancel(job.id)));
          }}
        />
      )}
    </section>
  );
}

/** Cancelling cannot be undone (rows not yet run never run), so it asks first. */
function ConfirmCancel({ job, onClose, onConfirm }: { job: Job; onClose: () => void; onConfirm: () => void }) {
  const left = Math.max(job.totalRows - job.completedRows - job.failedRows, 0);
  const footer = (
    <>
      <button type="button" onClick={onClose}>
        Keep running
      </button>
      <button type="button" className="danger" onClick={onConfirm}>
        Yes, cancel the batch
      </button>
    </>
  );
  return (
    <Dialog title="Cancel this batch?" onClose={onClose} footer={footer}>
      <p style={{ margin: 0 }}>
        Of the {left.toLocaleString()} unfinished row{left === 1 ? "" : "s"}, those already running finish and keep their results; the rest will not run now.
        You can run those rows later from this page. To stop for a while instead, pause the batch.
      </p>
    </Dialog>
  );
}
