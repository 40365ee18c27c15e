/**
 * Delete a batch, after an inline confirmation (it removes the rows, results and media for good).
 * A running or paused batch cannot be deleted: the button is disabled and says to cancel first.
 */
import { useState } from "react";
import { canDelete } from "@core/batch/statuses";
import { useBackend } from "../backend/backend-context";
import { toBackendError, type Job } from "../backend/types";

export function DeleteBatchButton({ job, onDeleted }: { job: Job; onDeleted: () => void }) {
  const { backend } = useBackend();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const allowed = canDelete(job);
  const remove = async (): Promise<void> => {
    setBusy(true);
    try {
      await backend.delete(job.id);
      onDeleted();
    } catch (err) {
      setError(toBackendError(err).message);
      setBusy(false);
    }
  };
  if (!confirming) {
    return (
      <button
        type="button"
        className="danger"
        disabled={!allowed}
        title={allowed ? "Delete this batch" : "Cancel the batch first, then delete it"}
        onClick={() => setConfirming(true)}
      >
        Delete
      </button>
    );
  }
  return (
    <span className="delete-confirm" role="group" aria-label={`Delete ${job.name || job.id}?`}>
      <span>Delete “{job.name || job.id}” with its results and media?</span>
      <button type="button" className="danger" disabled={busy} onClick={() => void remove()}>
        Yes, delete
      </button>
      <button type="button" disabled={busy} onClick={() => setConfirming(false)}>
        Keep
      </button>
      {error && (
        <span className="error-text" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
