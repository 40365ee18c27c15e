/**
 * The Export dialog: the file type (CSV, Excel = CSV with a UTF-8 BOM, JSON Lines, or a ZIP with
 * the CSV and every image and video) and the extra columns (per-node details, JSON fields spread).
 * It works while the batch runs: unfinished rows export as pending. The file itself is built by
 * the backend (a streamed server download locally, built in the browser on Firebase).
 */
import { useId, useState } from "react";
import { isActive } from "@core/batch/statuses";
import type { ExportChoice, ExportFormat, Job } from "../backend/types";
import { Dialog } from "../ui/dialog";

export type ExportKind = "csv" | "excel" | "jsonl" | "zip";

const KINDS: { kind: ExportKind; label: string; hint: string }[] = [
  { kind: "csv", label: "CSV", hint: "UTF-8, no byte order mark" },
  { kind: "excel", label: "Excel (UTF-8 with BOM)", hint: "a CSV Excel opens with accents and emoji intact" },
  { kind: "jsonl", label: "JSON Lines", hint: "one JSON object per row" },
  { kind: "zip", label: "ZIP (CSV + images and videos)", hint: "media named by row and node, e.g. row-00012-visual.png" },
];

/** What the backend is asked for, from the dialog's choices. */
export function exportRequest(
  kind: ExportKind,
  columns: { nodes: boolean; spread: boolean; signedLinks?: boolean },
): { format: ExportFormat; choice: ExportChoice } {
  const format: ExportFormat = kind === "excel" ? "csv" : kind;
  const signed = columns.signedLinks === true && kind !== "zip" ? { signedLinks: true } : {};
  return { format, choice: { nodes: columns.nodes, spread: columns.spread, bom: kind === "excel", ...signed } };
}

interface Props {
  job: Job;
  onClose: () => void;
  onExport: (format: ExportFormat, choice: ExportChoice) => void;
  /** Firebase mode offers signed media links (a ZIP holds the files themselves). */
  canSignLinks: boolean;
}

export function ExportDialog({ job, onClose, onExport, canSignLinks }: Props) {
  const [kind, setKind] = useState<ExportKind>("csv");
  const [nodes, setNodes] = useState(false);
  const [spread, setSpread] = useState(false);
  const [signedLinks, setSignedLinks] = useState(false);
  const name = useId();
  const running = isActive(job.status);
  const footer = (
    <>
      <button type="button" onClick={onClose}>
        Close
      </button>
      <button
        type="button"
        className="primary"
        onClick={() => {
          const { format, choice } = exportRequest(kind, { nodes, spread, signedLinks });
          onExport(format, choice);
        }}
      >
        Download
      </button>
    </>
  );
  return (
    <Dialog title="Export results" onClose={onClose} footer={footer}>
      <fieldset className="field export-kinds">
        <legend>File</legend>
        {KINDS.map((k) => (
          <label key={k.kind} className="export-option">
            <input type="radio" name={name} value={k.kind} checked={kind === k.kind} onChange={() => setKind(k.kind)} />
            <span>
              {k.label} <span className="hint">{k.hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <fieldset className="field export-kinds">
        <legend>Columns</legend>
        <label className="export-option">
          <input type="checkbox" checked={nodes} onChange={(e) => setNodes(e.target.checked)} />
          <span>
            Per-node details{" "}
            <span className="hint">each step&apos;s output, status, tokens, model, duration and error code; per row the failed node, attempts and pass</span>
          </span>
        </label>
        <label className="export-option">
          <input type="checkbox" checked={spread} onChange={(e) => setSpread(e.target.checked)} />
          <span>
            Spread JSON fields <span className="hint">one column per field of a JSON step, named node.field</span>
          </span>
        </label>
        {canSignLinks && kind !== "zip" && (
          <label className="export-option">
            <input type="checkbox" checked={signedLinks} onChange={(e) => setSignedLinks(e.target.checked)} />
            <span>
              Signed media links{" "}
              <span className="hint">media cells open for anyone with the file for 15 minutes, instead of storage paths only you can read</span>
            </span>
          </label>
        )}
      </fieldset>
      {running && <p className="hint">The batch is still running: rows not finished yet export as pending.</p>}
    </Dialog>
  );
}
