/**
 * Re-running rows of a finished batch with the editor's current flow: pick which rows (the rows
 * selected in the results table, failed, not run, all, or row numbers), then "Re-run with current flow". Nodes whose configuration and
 * inputs did not change keep their outputs; the server checks the flow against the batch's columns.
 */
import { useState } from "react";
import { isTerminal } from "@core/batch/statuses";
import { useBackend } from "../backend/backend-context";
import { type BackendError, toBackendError, type Job, type RerunRequest } from "../backend/types";
import { ErrorBanner } from "../ui/feedback";

type Choice = "selected" | "failed" | "not-run" | "all" | "list";

/** "3, 5-7" → [2, 4, 5, 6] (the table shows rows from 1); null when it is not such a list. */
export function parseRowList(text: string): number[] | null {
  const out: number[] = [];
  for (const part of text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!m) return null;
    const from = Number(m[1]);
    const to = m[2] !== undefined ? Number(m[2]) : from;
    if (from < 1 || to < from || to - from > 100_000) return null;
    for (let r = from; r <= to; r++) out.push(r - 1);
  }
  return out.length > 0 ? out : null;
}

interface Props {
  job: Job;
  currentFlow: unknown;
  onJob: (job: Job) => void;
  /** Rows selected in the results table (0-based). */
  selected?: ReadonlySet<number>;
  /** Called once rows were queued (the selection is then done with). */
  onRerun?: () => void;
}

export function RerunPanel({ job, currentFlow, onJob, selected, onRerun }: Props) {
  const { backend } = useBackend();
  // Until the user picks, the default follows the job (it mounts while the batch still runs).
  const [picked, setChoice] = useState<Choice | null>(null);
  const selectedCount = selected?.size ?? 0;
  // Selecting rows in the table picks them, whatever was chosen before; an empty selection falls back.
  const [seenSelection, setSeenSelection] = useState(selected);
  if (seenSelection !== selected) {
    setSeenSelection(selected);
    if (selectedCount > 0) setChoice("selected");
    else if (picked === "selected") setChoice(null);
  }
  const choice: Choice = picked === "selected" && selectedCount === 0 ? "all" : (picked ?? (job.failedRows > 0 ? "failed" : "all"));
  const [list, setList] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<BackendError | null>(null);
  const [note, setNote] = useState<string | null>(null);
  if (!isTerminal(job.status)) return null;
  const rows: RerunRequest["rows"] | null =
    choice === "list" ? parseRowList(list) : choice === "selected" ? [...(selected ?? [])].sort((a, b) => a - b) : choice;
  const run = (): void => {
    if (rows === null) return;
    setBusy(true);
    setError(null);
    setNote(null);
    backend
      .rerunRows(job.id, { rows, flow: currentFlow })
      .then((out) => {
        onJob(out.job);
        setNote(`${out.rows} row${out.rows === 1 ? "" : "s"} queued with the current flow.`);
        onRerun?.();
      })
      .catch((err: unknown) => setError(toBackendError(err)))
      .finally(() => setBusy(false));
  };
  return (
    <section className="card" aria-label="Re-run rows" data-testid="rerun-panel">
      <div className="row" style={{ alignItems: "flex-end", flexWrap: "wrap" }}>
        <label>
          Rows to re-run
          <select value={choice} onChange={(e) => setChoice(e.target.value as Choice)} data-testid="rerun-choice">
            {selectedCount > 0 && <option value="selected">Selected rows ({selectedCount})</option>}
            <option value="failed">Failed rows ({job.failedRows})</option>
            <option value="not-run">Rows not run ({job.skippedRows})</option>
            <option value="all">All rows ({job.totalRows})</option>
            <option value="list">Row numbers…</option>
          </select>
        </label>
        {choice === "list" && (
          <label>
            Row numbers
            <input
              value={list}
              onChange={(e) => setList(e.target.value)}
              placeholder="1, 4, 10-12"
              data-testid="rerun-list"
              aria-invalid={list !== "" && rows === null}
            />
          </label>
        )}
        <button type="button" className="primary" disabled={busy || rows === null} onClick={run} data-testid="rerun-button">
          {choice === "selected" ? `Re-run ${selectedCount} selected row${selectedCount === 1 ? "" : "s"} with current flow` : "Re-run with current flow"}
        </button>
      </div>
      <p className="hint">Steps whose settings and inputs are unchanged keep their outputs; only changed steps and the steps after them run again.</p>
      {note && <p role="status">{note}</p>}
      {error && <ErrorBanner title="Cannot re-run" error={error.info} />}
    </section>
  );
}
