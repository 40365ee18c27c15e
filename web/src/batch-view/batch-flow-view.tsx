/**
 * A batch's flow, read-only: the snapshot the batch ran with on a canvas (no dragging, connecting
 * or deleting), each node marked by how the editor's current flow differs from it, a list of those
 * differences, and "Open in editor", which loads the snapshot into the editor.
 */
import { ReactFlow } from "@xyflow/react";
import { useMemo, useState } from "react";
import type { NodeChange } from "@core/flow/node-config";
import { CanvasBackdrop, nodeTypes } from "../editor/flow-canvas";
import { snapshotDiff } from "../lib/flow-diff";
import { toEditorFlow, type EditorFlow } from "../lib/flow-model";

const CHANGE_TEXT: Record<NodeChange, string> = {
  changed: "changed in the editor",
  removed: "not in the editor's flow",
  added: "only in the editor's flow (not shown)",
};

interface Props {
  /** The batch's flow (`job.flowConfig`). */
  snapshot: unknown;
  /** The editor's current flow (JSON), undefined when the editor is empty. */
  currentFlow: unknown;
  /** Replaces the editor's flow with the snapshot and opens the editor. */
  onOpenInEditor: (flow: EditorFlow) => void;
}

export function BatchFlowView({ snapshot, currentFlow, onOpenInEditor }: Props) {
  const [open, setOpen] = useState(false);
  const flow = useMemo(() => toEditorFlow(snapshot), [snapshot]);
  const diff = useMemo(() => snapshotDiff(snapshot, currentFlow), [snapshot, currentFlow]);
  const nodes = useMemo(
    () =>
      flow.nodes.map((n) => {
        const change = diff?.changes.get(n.id);
        return { ...n, className: change ? `diff-${change}` : undefined };
      }),
    [flow, diff],
  );
  const openInEditor = (): void => {
    const differs = currentFlow !== undefined && (diff?.list.length ?? 0) > 0;
    if (differs && !window.confirm("Replace the flow in the editor with this batch's flow? The editor's current flow is not kept.")) return;
    onOpenInEditor(flow);
  };
  const summary =
    diff === null
      ? "The editor is empty."
      : diff.list.length === 0
        ? "Same as the editor's flow."
        : `${diff.list.length} step${diff.list.length === 1 ? "" : "s"} differ from the editor's flow.`;
  return (
    <section className="card field" aria-label="Batch flow" data-testid="batch-flow">
      <div className="row" style={{ flexWrap: "wrap" }}>
        <h3>Flow</h3>
        <span className="hint" data-testid="flow-diff-summary">
          {summary}
        </span>
        <div className="spacer" />
        <button type="button" onClick={() => setOpen((o) => !o)} aria-expanded={open} data-testid="flow-toggle">
          {open ? "Hide flow" : "Show flow"}
        </button>
        <button type="button" onClick={openInEditor} data-testid="flow-open-editor">
          Open in editor
        </button>
      </div>
      {open && (
        <>
          <div className="batch-flow-canvas" data-testid="batch-flow-canvas">
            <ReactFlow
              nodes={nodes}
              edges={flow.edges}
              nodeTypes={nodeTypes}
              nodesDraggable={false}
              nodesConnectable={false}
              elementsSelectable={false}
              deleteKeyCode={null}
              fitView
              fitViewOptions={{ padding: 0.2, maxZoom: 1 }}
              minZoom={0.2}
              aria-label="Batch flow canvas (read-only)"
            >
              <CanvasBackdrop />
            </ReactFlow>
          </div>
          {diff && diff.list.length > 0 && (
            <ul className="flow-diff-list" aria-label="Differences from the editor's flow" data-testid="flow-diff-list">
              {diff.list.map(({ id, change }) => (
                <li key={id} data-change={change}>
                  <span className={`diff-mark diff-${change}`}>{change}</span> <strong>{id}</strong>: {CHANGE_TEXT[change]}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
