/**
 * The side panel for the selected node: every field of its type, with validation messages under
 * the field they concern, the node's incoming connections as checkboxes (so edges can be made
 * without dragging), and delete.
 */
import { useId, useState } from "react";
import type { Edge, Node } from "@xyflow/react";
import { DEFAULT_MODELS } from "../lib/flow-model";
import { fieldMessages, otherNodeMessages, type IssueMap } from "../lib/validation-display";
import { JsonField, NumberField, SelectField, TextField } from "./fields";

interface Props {
  node: Node;
  nodes: Node[];
  edges: Edge[];
  issues: IssueMap;
  onData: (patch: Record<string, unknown>) => void;
  onRename: (newId: string) => void;
  onToggleEdge: (sourceId: string, connected: boolean) => void;
  onDelete: () => void;
  /** Close the panel (deselect the node). */
  onDone: () => void;
}

const SHOWN: Record<string, string[]> = {
  input: ["column", "label"],
  output: ["name", "label"],
  text: ["model", "prompt", "system", "temperature", "maxOutputTokens", "jsonSchema", "label"],
  image: ["model", "prompt", "aspectRatio", "label"],
  video: ["model", "prompt", "aspectRatio", "durationSeconds", "label"],
};

const str = (v: unknown): string => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "");
const num = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);

function ModelList() {
  return (
    <datalist id="model-options">
      {[
        "gemini-2.5-flash",
        "gemini-2.5-pro",
        "gemini-2.5-flash-lite",
        "gemini-2.5-flash-image",
        "imagen-4.0-generate-001",
        "veo-3.0-fast-generate-001",
        "veo-3.0-generate-001",
      ].map((m) => (
        <option key={m} value={m} />
      ))}
    </datalist>
  );
}

function AiFields({ node, issues, onData, upstream }: Pick<Props, "node" | "issues" | "onData"> & { upstream: string[] }) {
  const d = node.data;
  const err = (field: string): string[] => fieldMessages(issues, node.id, field);
  const type = node.type as "text" | "image" | "video";
  const refs = upstream.length > 0 ? upstream.map((id) => `{{${id}}}`).join(" ") : "connect a node first";
  return (
    <>
      <TextField
        label="Model"
        value={str(d.model)}
        list="model-options"
        placeholder={DEFAULT_MODELS[type]}
        errors={err("model")}
        onChange={(v) => onData({ model: v })}
      />
      <TextField
        label="Prompt"
        multiline
        value={str(d.prompt)}
        errors={err("prompt")}
        hint={<>Reference connected nodes: {refs}</>}
        onChange={(v) => onData({ prompt: v })}
      />
      {type === "text" && (
        <>
          <TextField label="System instruction" multiline value={str(d.system)} errors={err("system")} onChange={(v) => onData({ system: v })} />
          <NumberField
            label="Temperature (0–2)"
            min={0}
            max={2}
            step={0.1}
            value={num(d.temperature)}
            errors={err("temperature")}
            onChange={(v) => onData({ temperature: v })}
          />
          <NumberField
            label="Max output tokens"
            min={1}
            step={1}
            value={num(d.maxOutputTokens)}
            errors={err("maxOutputTokens")}
            onChange={(v) => onData({ maxOutputTokens: v })}
          />
          <JsonField
            key={node.id}
            label="JSON schema (structured output)"
            value={d.jsonSchema}
            errors={err("jsonSchema")}
            hint="Optional. When set, the output is parsed JSON and later prompts can use {{node.field}}."
            onChange={(v) => onData({ jsonSchema: v })}
          />
        </>
      )}
      {type !== "text" && (
        <SelectField
          label="Aspect ratio"
          value={str(d.aspectRatio)}
          errors={err("aspectRatio")}
          options={[
            { value: "", label: "Model default" },
            ...(type === "image" ? ["1:1", "3:4", "4:3", "9:16", "16:9"] : ["16:9", "9:16"]).map((r) => ({ value: r, label: r })),
          ]}
          onChange={(v) => onData({ aspectRatio: v || undefined })}
        />
      )}
      {type === "video" && (
        <NumberField
          label="Duration (seconds)"
          min={1}
          max={60}
          step={1}
          value={num(d.durationSeconds)}
          errors={err("durationSeconds")}
          onChange={(v) => onData({ durationSeconds: v })}
        />
      )}
    </>
  );
}

function Connections({ node, nodes, edges, onToggleEdge }: Pick<Props, "node" | "nodes" | "edges" | "onToggleEdge">) {
  if (node.type === "input") return null;
  const candidates = nodes.filter((n) => n.id !== node.id && n.type !== "output");
  return (
    <fieldset className="field" style={{ border: 0, padding: 0, margin: 0 }}>
      <legend style={{ fontWeight: 600, fontSize: 12.5 }}>Receives from</legend>
      {candidates.length === 0 && <p className="hint">No other nodes yet.</p>}
      <div className="checks">
        {candidates.map((c) => {
          const connected = edges.some((e) => e.source === c.id && e.target === node.id);
          return (
            <label key={c.id}>
              <input type="checkbox" checked={connected} onChange={(e) => onToggleEdge(c.id, e.target.checked)} />
              {c.id} <span className="hint">({c.type})</span>
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}

/** The id is committed on blur or Enter, so typing does not rename the node on every key. */
function IdField({ id, errors, onRename }: { id: string; errors: string[]; onRename: (next: string) => void }) {
  const [text, setText] = useState(id);
  const inputId = useId();
  const commit = (): void => {
    const next = text.trim();
    if (next && next !== id) onRename(next);
    else setText(id);
  };
  return (
    <div className="field">
      <label htmlFor={inputId}>Node id</label>
      <input
        id={inputId}
        type="text"
        value={text}
        aria-invalid={errors.length > 0 ? true : undefined}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === "Enter") commit();
        }}
      />
      {errors.map((m, i) => (
        <p key={i} className="field-error">
          {m}
        </p>
      ))}
      <p className="hint">Other prompts refer to this node as {`{{${id}}}`}. Press Enter to rename.</p>
    </div>
  );
}

export function NodePanel(props: Props) {
  const { node, issues, onData, onRename, onDelete, onDone, edges } = props;
  const d = node.data;
  const err = (field: string | null): string[] => fieldMessages(issues, node.id, field);
  const other = otherNodeMessages(issues, node.id, [...(SHOWN[node.type ?? ""] ?? []), "id"]);
  const upstream = edges.filter((e) => e.target === node.id).map((e) => e.source);
  return (
    <section aria-label={`Node ${node.id}`} className="field" style={{ gap: 14 }}>
      <ModelList />
      <div className="row">
        <h2 style={{ flex: 1 }}>
          <span className={`kind ${node.type ?? ""}`} style={{ fontSize: 11, padding: "2px 6px", borderRadius: 4, marginRight: 6 }}>
            {node.type}
          </span>
          {node.id}
        </h2>
        <button type="button" className="small" onClick={onDone}>
          Done
        </button>
        <button type="button" className="small danger" onClick={onDelete}>
          Delete node
        </button>
      </div>
      {other.length > 0 && (
        <ul className="issue-list" aria-label="Problems with this node">
          {other.map((m, i) => (
            <li key={i}>{m}</li>
          ))}
        </ul>
      )}
      <IdField key={`id-${node.id}`} id={node.id} errors={err("id")} onRename={onRename} />
      {node.type === "input" && (
        <TextField
          label="CSV column"
          value={str(d.column)}
          errors={err("column")}
          hint="The CSV column whose value this node passes on."
          onChange={(v) => onData({ column: v })}
        />
      )}
      {node.type === "output" && (
        <TextField
          label="Output column name"
          value={str(d.name)}
          errors={err("name")}
          hint="The result column this node's input is written to."
          onChange={(v) => onData({ name: v })}
        />
      )}
      {(node.type === "text" || node.type === "image" || node.type === "video") && <AiFields node={node} issues={issues} onData={onData} upstream={upstream} />}
      <TextField label="Label (optional)" value={str(d.label)} errors={err("label")} onChange={(v) => onData({ label: v })} />
      <Connections {...props} />
    </section>
  );
}
