/**
 * Runs the flow once on one row (POST /api/preview or the previewFlow callable) so a prompt can be
 * checked before a batch spends anything on every row. The row is prefilled from the example's CSV.
 */
import { useMemo, useState } from "react";
import { parseCsv } from "@core/csv/read";
import { useBackend } from "../backend/backend-context";
import { toBackendError, type BackendError, type PreviewRun } from "../backend/types";
import { formatMs } from "../lib/progress";
import { Dialog } from "../ui/dialog";
import { ErrorBanner, Spinner, StatusBadge } from "../ui/feedback";
import { TraceTable } from "../ui/trace-table";
import { PreviewOutputView } from "../ui/media";
import { TextField } from "./fields";

interface Props {
  flow: unknown;
  inputs: string[];
  sampleCsv: string | null;
  onClose: () => void;
}

function firstRow(csv: string | null): Record<string, string> {
  if (!csv) return {};
  try {
    return parseCsv(csv, { maxRows: 100_000 }).rows[0] ?? {};
  } catch {
    return {};
  }
}

export function PreviewDialog({ flow, inputs, sampleCsv, onClose }: Props) {
  const { backend } = useBackend();
  const sample = useMemo(() => firstRow(sampleCsv), [sampleCsv]);
  const [row, setRow] = useState<Record<string, string>>(() => Object.fromEntries(inputs.map((c) => [c, sample[c] ?? ""])));
  const [busy, setBusy] = useState(false);
  const [run, setRun] = useState<PreviewRun | null>(null);
  const [error, setError] = useState<BackendError | null>(null);

  const start = (): void => {
    setBusy(true);
    setError(null);
    setRun(null);
    backend
      .preview(flow, row)
      .then(setRun)
      .catch((err: unknown) => setError(toBackendError(err)))
      .finally(() => setBusy(false));
  };

  const footer = (
    <>
      {busy && <Spinner label="Running the flow on this row…" />}
      <button type="button" onClick={onClose}>
        Close
      </button>
      <button type="button" className="primary" onClick={start} disabled={busy}>
        {run ? "Run preview again" : "Run preview"}
      </button>
    </>
  );
  return (
    <Dialog title="Preview on one row" onClose={onClose} footer={footer}>
      <p className="hint">Runs every node once with these values. This calls the AI provider once per AI node.</p>
      {inputs.length === 0 && <p className="hint">This flow reads no CSV columns.</p>}
      {inputs.map((column) => (
        <TextField
          key={column}
          label={column}
          value={row[column] ?? ""}
          multiline={(row[column] ?? "").length > 60}
          onChange={(v) => setRow((r) => ({ ...r, [column]: v }))}
        />
      ))}
      {error && <ErrorBanner title="Preview failed" error={error.info} />}
      {run && (
        <section aria-label="Preview result" className="preview-outputs">
          <div className="row">
            <h3>Result</h3>
            <StatusBadge status={run.status} />
            <span className="hint">
              {formatMs(run.durationMs)} · {run.usage.totalTokens} tokens
            </span>
          </div>
          {run.error && <ErrorBanner error={run.error} title={run.error.nodeId ? `Node ${run.error.nodeId}` : "Row failed"} />}
          {Object.entries(run.outputs).map(([name, output]) => (
            <div key={name}>
              <strong>{name}</strong>
              <PreviewOutputView output={output} label={`${name} output`} />
            </div>
          ))}
          <TraceTable trace={run.trace} />
        </section>
      )}
    </Dialog>
  );
}
