/**
 * The per-row results table, virtualized with @tanstack/react-virtual so 10,000 rows stay fast:
 * only the rows in view (plus a few) are in the DOM. Status, the row's input cells (loaded page by
 * page as they scroll into view, use-input-rows.ts), one cell per output (text, image thumbnail or
 * video player), error, duration, tokens. A checkbox per row selects it for a re-run (Space or a
 * click); shift-click selects the range from the last row clicked, in the order shown.
 */
import { formatUsd } from "@core/governor/format-usd";
import { useEffect, useMemo, useRef, useState, useId } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import type { Job, RowResult, RowWait, StoredOutput } from "@core/batch/model";
import { isCancelled, isTerminal } from "@core/batch/statuses";
import { useBackend } from "../backend/backend-context";
import { formatMs } from "../lib/progress";
import { outputKinds, rowContext, rowState, visibleRows, type RowContext, type RowFilter } from "../lib/results-view";
import { nextTryText } from "../lib/wait-reason";
import { toggleSelection } from "../lib/row-selection";
import type { ResultsByRow } from "../lib/results-merge";
import { StatusBadge } from "../ui/feedback";
import { StoredMedia } from "../ui/media";
import { RowDetails } from "./row-details";
import { useInputRows } from "./use-input-rows";

function OutputCell({ output, label }: { output: StoredOutput | undefined; label: string }) {
  const { backend } = useBackend();
  if (!output) return null;
  if (output.kind === "mediaRef") return <StoredMedia backend={backend} output={output} label={label} />;
  return (
    <span className="cell-text" title={output.text}>
      {output.text}
    </span>
  );
}

interface RowProps {
  index: number;
  result: RowResult | undefined;
  inputs: readonly string[];
  /** The row's input cells; undefined while their page loads. */
  cells: Record<string, string> | undefined;
  outputs: string[];
  rows: RowContext;
  now: number;
  onOpen: (index: number) => void;
  /** Row selection; absent when the table offers none. */
  select?: { checked: boolean; onToggle: (index: number, range: boolean) => void };
}

/** A row waiting for its next attempt: the last error, which attempt failed and when the next is due. */
function WaitNote({ wait, now }: { wait: RowWait; now: number }) {
  const next = nextTryText(wait.nextAttemptAt, now);
  return (
    <span className="wait-text" title={wait.error.message}>
      Attempt {wait.attempt} failed: {wait.error.message}
      {next ? ` · ${next}` : ""}
    </span>
  );
}

function ResultRow({ index, result, inputs, cells, outputs, rows, now, onOpen, select }: RowProps) {
  const wait = result ? undefined : rows.waiting.get(index);
  return (
    <>
      {select && (
        <div role="cell" className="select-cell">
          <input
            type="checkbox"
            checked={select.checked}
            aria-label={`Select row ${index + 1}`}
            data-testid={`select-row-${index}`}
            // Space toggles it through a click as well; a shift-click selects a range.
            onClick={(e) => select.onToggle(index, e.shiftKey)}
            onChange={() => undefined}
          />
        </div>
      )}
      <div role="cell" className="num">
        <button type="button" className="link-button" onClick={() => onOpen(index)} aria-label={`Details of row ${index + 1}`}>
          {index + 1}
        </button>
      </div>
      <div role="cell">
        <StatusBadge status={rowState(result, rows, index)} />
      </div>
      {inputs.map((column) => (
        <div key={`in:${column}`} role="cell" className="input-cell">
          {cells ? (
            <span className="cell-text" title={cells[column]}>
              {cells[column]}
            </span>
          ) : (
            <span className="hint" aria-label="loading">
              …
            </span>
          )}
        </div>
      ))}
      {outputs.map((name) => (
        <div key={name} role="cell">
          <OutputCell output={result?.outputs[name]} label={`${name}, row ${index + 1}`} />
        </div>
      ))}
      <div role="cell">
        {result?.error && (
          <span className="error-text" title={result.error.message}>
            {result.error.nodeId ? `${result.error.nodeId}: ` : ""}
            {result.error.message}
          </span>
        )}
        {wait && <WaitNote wait={wait} now={now} />}
      </div>
      <div role="cell" className="num">
        {result ? formatMs(result.durationMs) : ""}
      </div>
      <div role="cell" className="num">
        {result ? result.usage.totalTokens.toLocaleString() : ""}
      </div>
      <div role="cell" className="num">
        {result ? formatUsd(result.costUsd) : ""}
      </div>
      <div role="cell" className="num">
        {result ? result.attempts : wait ? wait.attempt : ""}
      </div>
    </>
  );
}

interface TableProps {
  job: Job;
  results: ResultsByRow;
  now: number;
  /** Selected rows (0-based) and how to change them; rows can be selected once the batch has ended. */
  selected?: ReadonlySet<number>;
  onSelect?: (rows: ReadonlySet<number>) => void;
}

export function ResultsTable({ job, results, now, selected, onSelect }: TableProps) {
  const filterId = useId();
  const [filter, setFilter] = useState<RowFilter>("all");
  const [openRow, setOpenRow] = useState<number | null>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const kinds = useMemo(() => outputKinds(job.flowConfig), [job.flowConfig]);
  const outputs = job.outputColumns;
  const hasMedia = outputs.some((o) => kinds.get(o) === "image" || kinds.get(o) === "video");
  const rowHeight = hasMedia ? 96 : 64;
  const context = useMemo(() => rowContext(job), [job]);
  const ended = isTerminal(job.status);
  const selecting = ended && selected !== undefined && onSelect !== undefined;
  const [anchor, setAnchor] = useState<number | null>(null);
  const rows = useMemo(() => visibleRows(job.totalRows, results, filter, context), [job.totalRows, results, filter, context]);
  // A new filter shows its rows from the top, not at the old list's scroll position.
  useEffect(() => {
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
  }, [filter]);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => rowHeight, overscan: 8 });
  const inputs = job.columns;
  const inputRows = useInputRows(job.id);
  const shownKey = virtualizer
    .getVirtualItems()
    .map((item) => rows[item.index] ?? 0)
    .join(",");
  const { want } = inputRows;
  // The rows in view (and the open row's details) ask for their input page; each loads once.
  useEffect(() => {
    // shownKey stands for the rows in view (a new array on every render).
    const inView = shownKey === "" ? [] : shownKey.split(",").map(Number);
    want(openRow === null ? inView : [...inView, openRow]);
  }, [shownKey, openRow, want]);
  const toggle = (index: number, range: boolean): void => {
    if (!selected || !onSelect) return;
    onSelect(toggleSelection(selected, rows, index, anchor, range));
    setAnchor(index);
  };
  const allShown = selecting && rows.length > 0 && rows.every((r) => selected.has(r));
  const selectShown = (): void => {
    if (!selected || !onSelect) return;
    const next = new Set(selected);
    for (const r of rows)
      if (allShown) next.delete(r);
      else next.add(r);
    onSelect(next);
  };
  const template = `${selecting ? "36px " : ""}56px 124px ${inputs.map(() => "minmax(120px, 1fr)").join(" ")} ${outputs.map((o) => (kinds.get(o) === "text" || !kinds.has(o) ? "minmax(180px, 2fr)" : "140px")).join(" ")} minmax(160px, 1.5fr) 90px 80px 88px 56px`;

  return (
    <section className="field" aria-label="Results" style={{ gap: 8 }}>
      <div className="row">
        <h3>Rows</h3>
        <label htmlFor={filterId} className="sr-only">
          Show rows
        </label>
        <select id={filterId} value={filter} onChange={(e) => setFilter(e.target.value as RowFilter)} style={{ width: "auto" }}>
          <option value="all">All rows ({job.totalRows.toLocaleString()})</option>
          <option value="succeeded">Succeeded ({job.completedRows.toLocaleString()})</option>
          <option value="failed">Failed ({job.failedRows.toLocaleString()})</option>
          <option value="pending">{isCancelled(job.status) ? "Not run" : ended ? "No result yet" : "Not finished"}</option>
        </select>
        <span className="hint">
          {rows.length.toLocaleString()} shown · {results.size.toLocaleString()} with results
          {selecting && selected.size > 0 ? ` · ${selected.size.toLocaleString()} selected` : ""}
        </span>
        {selecting && selected.size > 0 && (
          <button type="button" className="link-button" onClick={() => onSelect(new Set())} data-testid="clear-selection">
            Clear selection
          </button>
        )}
      </div>
      <div className="results" ref={scrollRef} role="table" aria-label="Row results" aria-rowcount={rows.length + 1} tabIndex={0}>
        <div className="results-head" role="row" style={{ gridTemplateColumns: template, minWidth: "100%" }}>
          {selecting && (
            <div role="columnheader" className="select-cell">
              <input type="checkbox" checked={allShown} onChange={selectShown} aria-label="Select all rows shown" data-testid="select-shown" />
            </div>
          )}
          {["#", "Status"].map((h) => (
            <div key={h} role="columnheader" className={h === "#" ? "num" : undefined}>
              {h}
            </div>
          ))}
          {inputs.map((column) => (
            <div key={`in:${column}`} role="columnheader" className="input-head" title={`Input column ${column}`} data-input-column={column}>
              {column}
            </div>
          ))}
          {[...outputs, "Error", "Duration", "Tokens", "Cost", "Tries"].map((h, i) => (
            <div key={`${i}:${h}`} role="columnheader" className={i >= outputs.length + 1 ? "num" : undefined}>
              {h}
            </div>
          ))}
        </div>
        {rows.length === 0 && (
          <p className="hint" style={{ padding: 16 }}>
            No rows match this filter.
          </p>
        )}
        <div role="rowgroup" style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {virtualizer.getVirtualItems().map((item) => {
            const index = rows[item.index] ?? 0;
            return (
              <div
                key={item.key}
                className="results-row"
                role="row"
                aria-rowindex={item.index + 2}
                data-row={index}
                style={{ gridTemplateColumns: template, height: item.size, transform: `translateY(${item.start}px)` }}
              >
                <ResultRow
                  index={index}
                  result={results.get(index)}
                  inputs={inputs}
                  cells={inputRows.cells.get(index)}
                  outputs={outputs}
                  rows={context}
                  now={now}
                  onOpen={setOpenRow}
                  select={selecting ? { checked: selected.has(index), onToggle: toggle } : undefined}
                />
              </div>
            );
          })}
        </div>
      </div>
      {inputRows.error && (
        <p className="hint" role="status">
          Input cells could not be loaded: {inputRows.error.message}
        </p>
      )}
      {openRow !== null && (
        <RowDetails index={openRow} result={results.get(openRow)} columns={inputs} cells={inputRows.cells.get(openRow)} onClose={() => setOpenRow(null)} />
      )}
    </section>
  );
}
