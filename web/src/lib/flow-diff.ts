/**
 * How a batch's flow (its snapshot) differs from the editor's current flow, node by node, with
 * core's `flowChanges`: the same comparison a re-run uses to decide which steps run again. The
 * editor's flow may be unfinished, so each node is read through the schema when it passes (defaults
 * applied) and compared as given otherwise.
 */
import { flowChanges, type NodeChange } from "@core/flow/node-config";
import { FlowEdge, FlowNode, type Flow } from "@core/flow/schema";

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A flow JSON as a `Flow` for comparison: schema defaults applied where a node or edge passes. */
function comparable(raw: unknown): Flow {
  const value = isRecord(raw) ? raw : {};
  const nodes = (Array.isArray(value.nodes) ? value.nodes : []).filter(isRecord).map((n) => {
    const parsed = FlowNode.safeParse(n);
    return (parsed.success ? parsed.data : n) as FlowNode;
  });
  const edges = (Array.isArray(value.edges) ? value.edges : []).flatMap((e) => {
    const parsed = FlowEdge.safeParse(e);
    return parsed.success ? [parsed.data] : [];
  });
  return { nodes, edges };
}

export interface FlowDiff {
  /** Node id → how the editor's flow differs: `added` (only in the editor), `removed` (only in the batch), `changed`. */
  changes: Map<string, NodeChange>;
  /** The same, in a stable order for a list: the batch's nodes first, then the editor's new ones. */
  list: Array<{ id: string; change: NodeChange }>;
}

/** Differences from the batch's flow to the editor's; `current` undefined (empty editor) compares nothing. */
export function snapshotDiff(snapshot: unknown, current: unknown): FlowDiff | null {
  if (current === undefined) return null;
  const from = comparable(snapshot);
  const to = comparable(current);
  const changes = flowChanges(from, to);
  const order = [...from.nodes.map((n) => n.id), ...to.nodes.map((n) => n.id)];
  const list = [...new Set(order)].flatMap((id) => {
    const change = changes.get(id);
    return change ? [{ id, change }] : [];
  });
  return { changes, list };
}
