/** Past batches, newest first, refreshed while any of them is still running. */
import { useCallback, useEffect, useState } from "react";
import { isActive, isPaused } from "@core/batch/statuses";
import { formatUsd } from "@core/governor/format-usd";
import { useBackend } from "../backend/backend-context";
import { routeHref } from "../ui/use-hash-route";
import { toBackendError, type BackendError, type Job } from "../backend/types";
import { pausedBy } from "../lib/pause-reason";
import { EmptyState, ErrorBanner, Spinner, StatusBadge } from "../ui/feedback";
import { DeleteBatchButton } from "./delete-batch-button";

const REFRESH_MS = 3000;

function JobRow({ job, onDeleted }: { job: Job; onDeleted: () => void }) {
  const finished = job.completedRows + job.failedRows;
  return (
    <tr>
      <td>
        <a href={routeHref({ name: "batch", id: job.id })}>{job.name || job.id}</a>
      </td>
      <td>
        <StatusBadge status={job.status} />
        {isPaused(job.status) && <span className="hint"> {pausedBy(job.pausedReason)}</span>}
      </td>
      <td className="num">
        {finished} / {job.totalRows}
      </td>
      <td className="num" style={{ color: job.failedRows > 0 ? "var(--bad)" : undefined }}>
        {job.failedRows}
      </td>
      <td className="num">{job.concurrency}</td>
      <td className="num">{job.usage.totalTokens.toLocaleString()}</td>
      <td className="num">{formatUsd(job.costUsd)}</td>
      <td>{new Date(job.createdAt).toLocaleString()}</td>
      <td>
        <DeleteBatchButton job={job} onDeleted={onDeleted} />
      </td>
    </tr>
  );
}

export function BatchList() {
  const { backend } = useBackend();
  const [jobs, setJobs] = useState<Job[] | null>(null);
  const [error, setError] = useState<BackendError | null>(null);

  const load = useCallback(() => {
    backend
      .list()
      .then((list) => {
        setJobs(list);
        setError(null);
      })
      .catch((err: unknown) => setError(toBackendError(err)));
  }, [backend]);

  useEffect(load, [load]);
  const anyActive = jobs?.some((j) => isActive(j.status)) ?? false;
  useEffect(() => {
    if (!anyActive) return;
    const id = setInterval(load, REFRESH_MS);
    return () => clearInterval(id);
  }, [anyActive, load]);

  return (
    <div className="page">
      <div className="row">
        <h2>Batches</h2>
        <div className="spacer" />
        <button type="button" onClick={load}>
          Refresh
        </button>
      </div>
      {error && <ErrorBanner title="Cannot list batches" error={error.info} onRetry={load} />}
      {!jobs && !error && <Spinner label="Loading batches…" />}
      {jobs && jobs.length === 0 && (
        <EmptyState title="No batches yet">
          <p>
            Design a flow in the <a href={routeHref({ name: "editor" })}>flow editor</a> and choose “Run batch…”.
          </p>
        </EmptyState>
      )}
      {jobs && jobs.length > 0 && (
        <div className="card" style={{ padding: 0 }}>
          <div className="table-wrap" style={{ border: 0 }}>
            <table className="simple list-table" aria-label="Past batches">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Status</th>
                  <th scope="col">Done</th>
                  <th scope="col">Failed</th>
                  <th scope="col">Concurrency</th>
                  <th scope="col">Tokens</th>
                  <th scope="col">Cost</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {jobs.map((job) => (
                  <JobRow key={job.id} job={job} onDeleted={load} />
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </div>
  );
}
