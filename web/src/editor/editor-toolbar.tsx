/** The editor's toolbar: add nodes, load an example, import/export flow JSON, the CSV template, preview, run. */
import { useId, useRef, useState } from "react";
import type { NodeType } from "@core/flow/schema";
import type { FlowExample } from "../backend/types";
import { EDITOR_NODE_TYPES } from "../lib/flow-model";

interface Props {
  examples: FlowExample[] | null;
  canRun: boolean;
  onAdd: (type: NodeType) => void;
  onLoadExample: (example: FlowExample) => void;
  onImport: (file: File) => void;
  onExport: () => void;
  /** Downloads the flow's input columns as a CSV header plus one example row. */
  onTemplate: () => void;
  onPreview: () => void;
  onRun: () => void;
  onNew: () => void;
}

export function EditorToolbar({ examples, canRun, onAdd, onLoadExample, onImport, onExport, onTemplate, onPreview, onRun, onNew }: Props) {
  const selectId = useId();
  const fileRef = useRef<HTMLInputElement>(null);
  const [exampleId, setExampleId] = useState("");
  const example = examples?.find((e) => e.id === exampleId);
  return (
    <div className="toolbar" role="toolbar" aria-label="Flow tools">
      <div className="group" role="group" aria-label="Add node">
        <span className="hint">Add</span>
        {EDITOR_NODE_TYPES.map((type) => (
          <button key={type} type="button" className="small" aria-label={`Add ${type} node`} onClick={() => onAdd(type)}>
            + {type}
          </button>
        ))}
      </div>
      <div className="group">
        <label htmlFor={selectId} className="sr-only">
          Example flow
        </label>
        <select id={selectId} value={exampleId} onChange={(e) => setExampleId(e.target.value)} disabled={!examples || examples.length === 0}>
          <option value="">{examples === null ? "Loading examples…" : examples.length === 0 ? "No examples" : "Choose an example…"}</option>
          {examples?.map((e) => (
            <option key={e.id} value={e.id}>
              {e.name}
            </option>
          ))}
        </select>
        <button type="button" className="small" disabled={!example} onClick={() => example && onLoadExample(example)}>
          Load example
        </button>
      </div>
      <div className="group">
        <button type="button" className="small" onClick={onNew}>
          New flow
        </button>
        <button type="button" className="small" onClick={() => fileRef.current?.click()}>
          Import JSON
        </button>
        <input
          ref={fileRef}
          type="file"
          accept="application/json,.json"
          hidden
          aria-label="Import flow JSON file"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) onImport(file);
            e.target.value = "";
          }}
        />
        <button type="button" className="small" onClick={onExport}>
          Export JSON
        </button>
        <button
          type="button"
          className="small"
          onClick={onTemplate}
          disabled={!canRun}
          title={canRun ? "Download the flow's input columns as a CSV with one example row" : "Fix the flow's problems first"}
        >
          CSV template
        </button>
      </div>
      <div className="spacer" />
      <button type="button" onClick={onPreview} disabled={!canRun} title={canRun ? undefined : "Fix the flow's problems first"}>
        Preview one row
      </button>
      <button type="button" className="primary" onClick={onRun} disabled={!canRun} title={canRun ? undefined : "Fix the flow's problems first"}>
        Run batch…
      </button>
    </div>
  );
}
