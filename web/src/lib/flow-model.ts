/**
 * The editor's view of a flow: React-Flow-shaped nodes and edges (the flow JSON format is already
 * that shape), plus what the editor needs around it: default data for new nodes, fresh ids,
 * a layered layout for flows saved without positions, and export back to clean flow JSON.
 */
import type { NodeType } from "@core/flow/schema";

export interface EditorNode {
  id: string;
  /** A NodeType for valid flows; anything else is kept so validation can name it. */
  type?: string;
  position: { x: number; y: number };
  data: Record<string, unknown>;
}

export interface EditorEdge {
  id: string;
  source: string;
  target: string;
}

export interface EditorFlow {
  nodes: EditorNode[];
  edges: EditorEdge[];
}

/** A string field's value, or "" when it is missing or not a string. */
export const textOf = (v: unknown): string => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "");

export const EDITOR_NODE_TYPES: readonly NodeType[] = ["input", "text", "image", "video", "output"];

export const DEFAULT_MODELS: Record<"text" | "image" | "video", string> = {
  text: "gemini-2.5-flash",
  image: "gemini-2.5-flash-image",
  video: "veo-3.0-fast-generate-001",
};

/** `prefix`, `prefix_2`, `prefix_3`, ... whichever is free first. */
export function freshName(prefix: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  if (!used.has(prefix)) return prefix;
  for (let n = 2; ; n++) if (!used.has(`${prefix}_${n}`)) return `${prefix}_${n}`;
}

export function defaultNodeData(type: NodeType, flow: EditorFlow, id: string): Record<string, unknown> {
  switch (type) {
    case "input":
      return { column: id };
    case "text":
      return { model: DEFAULT_MODELS.text, prompt: "" };
    case "image":
      return { model: DEFAULT_MODELS.image, prompt: "" };
    case "video":
      return { model: DEFAULT_MODELS.video, prompt: "" };
    case "output": {
      const names = flow.nodes.filter((n) => n.type === "output").map((n) => textOf(n.data.name));
      return { name: freshName("result", names) };
    }
  }
}

/** A new node of `type` placed to the right of the rightmost node. */
export function newNode(type: NodeType, flow: EditorFlow): EditorNode {
  const id = freshName(
    type === "input" ? "column" : type,
    flow.nodes.map((n) => n.id),
  );
  const maxX = flow.nodes.reduce((m, n) => Math.max(m, n.position.x), -280);
  const sameColumn = flow.nodes.filter((n) => n.position.x === maxX + 280).length;
  return { id, type, position: { x: maxX + 280, y: 40 + sameColumn * 140 }, data: defaultNodeData(type, flow, id) };
}

/** Depth = longest path from a source; nodes are laid out in columns by depth. */
export function layeredLayout(
  nodes: ReadonlyArray<{ id: string }>,
  edges: ReadonlyArray<{ source: string; target: string }>,
): Map<string, { x: number; y: number }> {
  const depth = new Map<string, number>(nodes.map((n) => [n.id, 0]));
  // Relax edges |nodes| times: enough for any DAG; cycles simply stop growing at the bound.
  for (let round = 0; round < nodes.length; round++) {
    let changed = false;
    for (const e of edges) {
      const d = (depth.get(e.source) ?? -1) + 1;
      if (depth.has(e.target) && d > (depth.get(e.target) ?? 0) && d < nodes.length) {
        depth.set(e.target, d);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const rowsUsed = new Map<number, number>();
  const out = new Map<string, { x: number; y: number }>();
  for (const n of nodes) {
    const d = depth.get(n.id) ?? 0;
    const row = rowsUsed.get(d) ?? 0;
    rowsUsed.set(d, row + 1);
    out.set(n.id, { x: 40 + d * 300, y: 40 + row * 160 });
  }
  return out;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Loads flow JSON into the editor. Keeps whatever it can (unknown types and bad data are left for
 * validation to report); throws only when the JSON is not a flow at all.
 */
export function toEditorFlow(raw: unknown): EditorFlow {
  const value = typeof raw === "string" ? (JSON.parse(raw) as unknown) : raw;
  if (!isRecord(value) || !Array.isArray(value.nodes)) throw new Error('This is not a flow: it needs a "nodes" array.');
  const rawNodes = value.nodes.filter(isRecord);
  const rawEdges = Array.isArray(value.edges) ? value.edges.filter(isRecord) : [];
  const edges: EditorEdge[] = rawEdges.map((e, i) => ({
    id: typeof e.id === "string" && e.id ? e.id : `e${i}-${String(e.source)}-${String(e.target)}`,
    source: textOf(e.source),
    target: textOf(e.target),
  }));
  const ids = rawNodes.map((n, i) => (typeof n.id === "string" ? n.id : `node_${i}`));
  const layout = layeredLayout(
    ids.map((id) => ({ id })),
    edges,
  );
  const nodes: EditorNode[] = rawNodes.map((n, i) => {
    const id = ids[i] ?? `node_${i}`;
    const p = n.position;
    const position = isRecord(p) && typeof p.x === "number" && typeof p.y === "number" ? { x: p.x, y: p.y } : (layout.get(id) ?? { x: 0, y: 0 });
    return { id, type: typeof n.type === "string" ? n.type : undefined, position, data: isRecord(n.data) ? { ...n.data } : {} };
  });
  return { nodes, edges };
}

/** Clean flow JSON: only id/type/position/data and id/source/target, positions rounded. */
export function toFlowJson(flow: EditorFlow): { nodes: EditorNode[]; edges: EditorEdge[] } {
  return {
    nodes: flow.nodes.map((n) => ({
      id: n.id,
      type: n.type,
      position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
      data: stripEmpty(n.data),
    })),
    edges: flow.edges.map((e) => ({ id: e.id, source: e.source, target: e.target })),
  };
}

/** Optional fields left blank in the panel are removed rather than sent as "" (which would fail validation). */
function stripEmpty(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) if (value !== "" && value !== undefined && value !== null) out[key] = value;
  return out;
}

/** Columns read by input nodes, in flow order, each once (works on invalid flows too). */
export function editorInputColumns(flow: EditorFlow): string[] {
  const cols = flow.nodes
    .filter((n) => n.type === "input")
    .map((n) => textOf(n.data.column))
    .filter(Boolean);
  return [...new Set(cols)];
}
