/** How one flow node looks on the canvas: its kind, id, a summary of its settings and its problems. */
import { useContext } from "react";
import { Handle, Position, type NodeProps } from "@xyflow/react";
import { IssuesContext } from "./issues-context";

function summary(type: string | undefined, data: Record<string, unknown>): { text: string; empty: boolean } {
  const pick = (key: string, fallback: string): { text: string; empty: boolean } => {
    const value = data[key];
    return typeof value === "string" && value.trim() !== "" ? { text: value, empty: false } : { text: fallback, empty: true };
  };
  switch (type) {
    case "input":
      return pick("column", "no column yet");
    case "output":
      return pick("name", "no name yet");
    case "text":
    case "image":
    case "video":
      return pick("prompt", "no prompt yet");
    default:
      return { text: `unknown node type "${String(type)}"`, empty: true };
  }
}

export function FlowNodeView({ id, type, data, selected }: NodeProps) {
  const issues = useContext(IssuesContext).byNode.get(id) ?? [];
  const { text, empty } = summary(type, data);
  const label = typeof data.label === "string" && data.label ? data.label : id;
  return (
    <div className={`fc-node${selected ? " selected" : ""}${issues.length > 0 ? " invalid" : ""}`} data-testid={`node-${id}`}>
      {type !== "input" && <Handle type="target" position={Position.Left} aria-label={`${id} input`} />}
      <header>
        <span className={`kind ${type ?? ""}`}>{type}</span>
        <span className="node-id" title={id}>
          {label}
        </span>
      </header>
      <div className="body">
        <div className="clamp">
          {type === "output" && !empty ? (
            <>
              column <strong>{text}</strong>
            </>
          ) : (
            <span className={empty ? "muted" : undefined}>{text}</span>
          )}
        </div>
      </div>
      {issues.length > 0 && (
        <div className="issues" role="note">
          {issues.length === 1 ? issues[0]?.message : `${issues.length} problems: ${issues[0]?.message ?? ""}`}
        </div>
      )}
      {type !== "output" && <Handle type="source" position={Position.Right} aria-label={`${id} output`} />}
    </div>
  );
}
