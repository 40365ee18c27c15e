/** The side panel when no node is selected: flow name, validation status, general problems, columns. */
import { useId } from "react";
import type { FlowValidation } from "../lib/validate-flow";
import type { IssueMap } from "../lib/validation-display";

interface Props {
  name: string;
  onName: (name: string) => void;
  validation: FlowValidation;
  issues: IssueMap;
  nodes: ReadonlyArray<{ id: string; type?: string }>;
  onSelect: (nodeId: string) => void;
}

/** Every node as a button: a keyboard- and screen-reader-friendly way to open a node's panel. */
function NodeList({ nodes, issues, onSelect }: Pick<Props, "nodes" | "issues" | "onSelect">) {
  if (nodes.length === 0) return null;
  return (
    <nav aria-label="Nodes" className="field">
      <h3>Nodes</h3>
      <ul style={{ listStyle: "none", margin: 0, padding: 0, display: "flex", flexWrap: "wrap", gap: 6 }}>
        {nodes.map((n) => {
          const count = issues.byNode.get(n.id)?.length ?? 0;
          return (
            <li key={n.id}>
              <button
                type="button"
                className="small"
                onClick={() => onSelect(n.id)}
                aria-label={`Edit node ${n.id}${count > 0 ? ` (${count} problem${count === 1 ? "" : "s"})` : ""}`}
              >
                <span className={`kind ${n.type ?? ""}`} style={{ fontSize: 10, padding: "0 4px", borderRadius: 3 }}>
                  {n.type}
                </span>
                {n.id}
                {count > 0 && <span style={{ color: "var(--bad)", fontWeight: 700 }}>!</span>}
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

export function FlowSummary({ name, onName, validation, issues, nodes, onSelect }: Props) {
  const nodeCount = nodes.length;
  const nameId = useId();
  const nodeProblemCount = [...issues.byNode.values()].reduce((n, list) => n + list.length, 0);
  return (
    <section aria-label="Flow" className="field" style={{ gap: 14 }}>
      <div className="field">
        <label htmlFor={nameId}>Flow name</label>
        <input id={nameId} type="text" value={name} onChange={(e) => onName(e.target.value)} />
      </div>
      <div aria-live="polite">
        {nodeCount === 0 ? (
          <p className="hint">Add nodes with the toolbar or start from an example.</p>
        ) : validation.ok ? (
          <p className="valid-note">✓ The flow is valid.</p>
        ) : (
          <p className="field-error">
            {validation.details.length} problem{validation.details.length === 1 ? "" : "s"}
            {nodeProblemCount > 0 ? ` (${nodeProblemCount} shown on nodes; select a node to fix it)` : ""}.
          </p>
        )}
      </div>
      {issues.general.length > 0 && nodeCount > 0 && (
        <div>
          <h3>Flow problems</h3>
          <ul className="issue-list">
            {issues.general.map((d, i) => (
              <li key={i}>
                <code>{d.path}</code>: {d.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {validation.ok && (
        <dl className="field">
          <dt>
            <strong>Reads CSV columns</strong>
          </dt>
          <dd style={{ margin: 0 }}>{validation.inputs.join(", ") || "none"}</dd>
          <dt>
            <strong>Writes result columns</strong>
          </dt>
          <dd style={{ margin: 0 }}>{validation.outputs.join(", ")}</dd>
        </dl>
      )}
      <NodeList nodes={nodes} issues={issues} onSelect={onSelect} />
      <div className="hint">
        <p>
          <strong>How it works:</strong> input nodes pass a CSV column on; text, image and video nodes call Gemini with a prompt that can reference connected
          nodes as <code>{"{{nodeId}}"}</code>; output nodes name the result columns.
        </p>
        <p>
          Drag from a node's right handle to another node to connect them, or use “Receives from” in a node's panel. Select a node and press Delete to remove
          it.
        </p>
      </div>
    </section>
  );
}
