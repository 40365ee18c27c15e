/** The flow editor screen: toolbar, canvas, side panel, and the preview and batch dialogs. */
import { useCallback, useEffect, useMemo, useState } from "react";
import type { Node } from "@xyflow/react";
import type { NodeType } from "@core/flow/schema";
import { useBackend } from "../backend/backend-context";
import type { FlowDocument } from "./use-flow-document";
import { navigate } from "../ui/use-hash-route";
import { flowTemplate, templateFilename } from "@core/flow/template-csv";
import { toBackendError, type FlowExample } from "../backend/types";
import { BatchModal } from "../new-batch/batch-modal";
import { newNode, toEditorFlow, toFlowJson } from "../lib/flow-model";
import { validateFlow } from "../lib/validate-flow";
import { groupIssues } from "../lib/validation-display";
import { ErrorBanner } from "../ui/feedback";
import { EditorToolbar } from "./editor-toolbar";
import { ExamplePicker } from "./example-picker";
import { FlowCanvas, type GraphUpdate } from "./flow-canvas";
import { FlowSummary } from "./flow-summary";
import { IssuesContext } from "./issues-context";
import { NodePanel } from "./node-panel";
import { PreviewDialog } from "./preview-dialog";
import { renameNode, toggleEdge, updateNodeData } from "./flow-edits";

interface Props {
  doc: FlowDocument;
  updateDoc: (fn: (d: FlowDocument) => FlowDocument) => void;
}

function downloadText(filename: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function downloadJson(name: string, value: unknown): void {
  downloadText(`${name.replace(/[^\p{L}\p{N}_.-]+/gu, "-") || "flow"}.json`, JSON.stringify(value, null, 2), "application/json");
}

/** The flow's CSV template (core's flowTemplate: the same bytes as POST /api/flows/template.csv), built here on both hosts. */
function downloadTemplate(name: string, flow: unknown): void {
  downloadText(templateFilename(name), flowTemplate(flow).csv, "text/csv;charset=utf-8");
}

/** The flow's own name in exported JSON (Export writes it), so an import round-trips it. */
function flowNameIn(text: string): string | null {
  try {
    const value = JSON.parse(text) as { name?: unknown } | null;
    return typeof value?.name === "string" && value.name.trim() !== "" ? value.name.trim() : null;
  } catch {
    return null;
  }
}

export function FlowEditor({ doc, updateDoc }: Props) {
  const { backend, config } = useBackend();
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [dialog, setDialog] = useState<"preview" | "batch" | null>(null);
  const [examples, setExamples] = useState<FlowExample[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fitKey, setFitKey] = useState(0);

  useEffect(() => {
    backend
      .examples()
      .then(setExamples)
      .catch((err: unknown) => {
        setExamples([]);
        setError(`Examples could not be loaded: ${toBackendError(err).message}`);
      });
  }, [backend]);

  const flowJson = useMemo(() => toFlowJson({ nodes: doc.nodes, edges: doc.edges }), [doc.nodes, doc.edges]);
  const validation = useMemo(() => validateFlow(flowJson, { maxNodes: config.limits.maxNodes }), [flowJson, config.limits.maxNodes]);
  const issues = useMemo(() => groupIssues(validation.details, doc.nodes), [validation, doc.nodes]);
  const invalidEdges = useMemo(() => new Set(issues.byEdge.keys()), [issues]);
  const selected = doc.nodes.find((n) => n.id === selectedId) ?? null;

  const setGraph = useCallback((update: GraphUpdate) => updateDoc((d) => ({ ...d, ...update(d) })), [updateDoc]);

  const loadFlow = (raw: unknown, name: string, sampleCsv: string | null): void => {
    try {
      const flow = toEditorFlow(raw);
      updateDoc(() => ({ nodes: flow.nodes, edges: flow.edges, name, sampleCsv }));
      setSelectedId(null);
      setError(null);
      setFitKey((k) => k + 1);
    } catch (err) {
      setError(`Could not load the flow: ${err instanceof Error ? err.message : "invalid JSON"}`);
    }
  };

  /** Selects one node (or none) both in the canvas and in the side panel. */
  const selectNode = (id: string | null): void => {
    updateDoc((d) => ({ ...d, nodes: d.nodes.map((n) => (n.selected === (n.id === id) ? n : { ...n, selected: n.id === id })) }));
    setSelectedId(id);
  };

  const addNode = (type: NodeType): void => {
    const node = newNode(type, { nodes: doc.nodes, edges: doc.edges }) as Node;
    updateDoc((d) => ({ ...d, nodes: [...d.nodes.map((n) => ({ ...n, selected: false })), { ...node, selected: true }] }));
    setSelectedId(node.id);
    setFitKey((k) => k + 1);
  };

  return (
    <div className="editor">
      <EditorToolbar
        examples={examples}
        canRun={validation.ok}
        onAdd={addNode}
        onLoadExample={(e) => loadFlow(e.flow, e.name, e.csv || null)}
        onImport={(file) => {
          file
            .text()
            .then((text) => loadFlow(text, flowNameIn(text) ?? file.name.replace(/\.json$/i, ""), null))
            .catch(() => setError("Could not read the file."));
        }}
        onExport={() => downloadJson(doc.name, { name: doc.name, ...flowJson })}
        onTemplate={() => {
          try {
            downloadTemplate(doc.name, flowJson);
          } catch (err) {
            setError(`The CSV template could not be made: ${toBackendError(err).message}`);
          }
        }}
        onPreview={() => setDialog("preview")}
        onRun={() => setDialog("batch")}
        onNew={() => loadFlow({ nodes: [], edges: [] }, "Untitled flow", null)}
      />
      <div className="canvas">
        {error && (
          <div style={{ position: "absolute", top: 10, left: 10, right: 10, zIndex: 10 }}>
            <ErrorBanner error={error} onRetry={() => setError(null)} />
          </div>
        )}
        <IssuesContext.Provider value={issues}>
          <FlowCanvas nodes={doc.nodes} edges={doc.edges} onChange={setGraph} onSelect={setSelectedId} invalidEdges={invalidEdges} fitKey={fitKey} />
        </IssuesContext.Provider>
        {doc.nodes.length === 0 && (
          <div className="canvas-empty">
            <ExamplePicker examples={examples} onPick={(e) => loadFlow(e.flow, e.name, e.csv || null)} onBlank={() => addNode("input")} />
          </div>
        )}
      </div>
      <aside className="side-panel" aria-label="Details">
        {selected ? (
          <NodePanel
            node={selected}
            nodes={doc.nodes}
            edges={doc.edges}
            issues={issues}
            onData={(patch) => updateDoc((d) => ({ ...d, nodes: updateNodeData(d.nodes, selected.id, patch) }))}
            onRename={(id) => {
              updateDoc((d) => ({ ...d, ...renameNode(d, selected.id, id) }));
              setSelectedId(id);
            }}
            onToggleEdge={(source, on) => updateDoc((d) => ({ ...d, edges: toggleEdge(d.edges, source, selected.id, on) }))}
            onDone={() => selectNode(null)}
            onDelete={() => {
              updateDoc((d) => ({
                ...d,
                nodes: d.nodes.filter((n) => n.id !== selected.id),
                edges: d.edges.filter((e) => e.source !== selected.id && e.target !== selected.id),
              }));
              setSelectedId(null);
            }}
          />
        ) : (
          <FlowSummary
            name={doc.name}
            onName={(name) => updateDoc((d) => ({ ...d, name }))}
            validation={validation}
            issues={issues}
            nodes={doc.nodes}
            onSelect={selectNode}
          />
        )}
      </aside>
      {dialog === "preview" && <PreviewDialog flow={flowJson} inputs={validation.inputs} sampleCsv={doc.sampleCsv} onClose={() => setDialog(null)} />}
      {dialog === "batch" && (
        <BatchModal
          flow={flowJson}
          flowName={doc.name}
          inputs={validation.inputs}
          sampleCsv={doc.sampleCsv}
          onClose={() => setDialog(null)}
          onStarted={(job) => {
            setDialog(null);
            navigate({ name: "batch", id: job.id });
          }}
        />
      )}
    </div>
  );
}
