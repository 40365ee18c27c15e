/** One row's full result in a dialog: every input cell, every output in full, the error, attempts and the per-node trace. */
import { formatUsd } from "@core/governor/format-usd";
import type { RowResult, StoredOutput } from "@core/batch/model";
import { useBackend } from "../backend/backend-context";
import { formatMs } from "../lib/progress";
import { Dialog } from "../ui/dialog";
import { ErrorBanner, StatusBadge } from "../ui/feedback";
import { StoredMedia } from "../ui/media";
import { TraceTable } from "../ui/trace-table";

function FullOutput({ output, label }: { output: StoredOutput; label: string }) {
  const { backend } = useBackend();
  switch (output.kind) {
    case "text":
      return <pre>{output.text}</pre>;
    case "json":
      return <pre>{JSON.stringify(output.value, null, 2)}</pre>;
    case "mediaRef":
      return <StoredMedia backend={backend} output={output} label={label} />;
  }
}

/** Every input cell of the row, in CSV order (cells arrive with their page: until then, a note). */
function InputCells({ index, columns, cells }: { index: number; columns: readonly string[]; cells: Record<string, string> | undefined }) {
  return (
    <section aria-label={`Row ${index + 1} inputs`}>
      <h4>Inputs</h4>
      {!cells ? (
        <p className="hint">Loading the input cells…</p>
      ) : (
        <dl className="input-cells">
          {columns.map((column) => (
            <div key={column}>
              <dt>{column}</dt>
              <dd>{cells[column] === "" ? <span className="hint">(empty)</span> : cells[column]}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}

interface RowDetailsProps {
  index: number;
  result: RowResult | undefined;
  columns: readonly string[];
  cells: Record<string, string> | undefined;
  onClose: () => void;
}

export function RowDetails({ index, result, columns, cells, onClose }: RowDetailsProps) {
  return (
    <Dialog
      title={`Row ${index + 1}`}
      onClose={onClose}
      footer={
        <button type="button" onClick={onClose}>
          Close
        </button>
      }
    >
      <InputCells index={index} columns={columns} cells={cells} />
      {!result ? (
        <p className="hint">This row has no result yet.</p>
      ) : (
        <section className="preview-outputs" aria-label={`Row ${index + 1} result`}>
          <div className="row">
            <StatusBadge status={result.status} />
            <span className="hint">
              {formatMs(result.durationMs)} · {result.usage.totalTokens.toLocaleString()} tokens · {formatUsd(result.costUsd)} · attempt {result.attempts}
              {result.pass > 0 ? ` · retry pass ${result.pass}` : ""} · finished {new Date(result.finishedAt).toLocaleTimeString()}
            </span>
          </div>
          {result.error && <ErrorBanner title={result.error.nodeId ? `Node ${result.error.nodeId}` : "Row failed"} error={result.error} />}
          {Object.entries(result.outputs).map(([name, output]) => (
            <div key={name}>
              <strong>{name}</strong>
              <FullOutput output={output} label={`${name}, row ${index + 1}`} />
            </div>
          ))}
          <TraceTable trace={result.trace} />
        </section>
      )}
    </Dialog>
  );
}
