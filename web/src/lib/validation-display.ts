/**
 * Turns validation details from `parseFlow` (or the server's `invalid_flow` error), whose paths
 * look like `nodes[1].data.prompt` or `edges[0].target`, into messages attached to the node and
 * field they concern, so the editor can show them in place.
 */

export interface Detail {
  path: string;
  message: string;
}

export interface PathTarget {
  kind: "node" | "edge" | "flow";
  /** Index into `nodes` or `edges` (kind node/edge). */
  index?: number;
  /** The data field (`prompt`, `model`, ...) or a node key (`id`, `type`) the detail is about. */
  field?: string;
}

export interface FieldIssue {
  field: string | null;
  message: string;
}

export interface IssueMap {
  /** Node id → issues on that node (field null: the node as a whole). */
  byNode: Map<string, FieldIssue[]>;
  /** Edge index → messages. */
  byEdge: Map<number, string[]>;
  /** Issues not tied to one node (shape of the flow, unknown indexes, CSV columns). */
  general: Detail[];
}

const PATH = /^(nodes|edges)\[(\d+)\](?:\.(data)\.([A-Za-z0-9_]+)|\.([A-Za-z0-9_]+))?/;

export function parseDetailPath(path: string): PathTarget {
  const m = PATH.exec(path);
  if (!m) return { kind: "flow" };
  const kind = m[1] === "nodes" ? "node" : "edge";
  const index = Number(m[2]);
  const field = m[4] ?? m[5];
  return field === undefined ? { kind, index } : { kind, index, field };
}

/** Groups details by node id (via the node's position in `nodes`) and edge index. */
export function groupIssues(details: readonly Detail[], nodes: ReadonlyArray<{ id: string }>): IssueMap {
  const map: IssueMap = { byNode: new Map(), byEdge: new Map(), general: [] };
  for (const detail of details) {
    const target = parseDetailPath(detail.path);
    const node = target.kind === "node" && target.index !== undefined ? nodes[target.index] : undefined;
    if (node) {
      const list = map.byNode.get(node.id) ?? [];
      list.push({ field: target.field ?? null, message: detail.message });
      map.byNode.set(node.id, list);
    } else if (target.kind === "edge" && target.index !== undefined) {
      const list = map.byEdge.get(target.index) ?? [];
      list.push(detail.message);
      map.byEdge.set(target.index, list);
      map.general.push(detail);
    } else {
      map.general.push(detail);
    }
  }
  return map;
}

/** Messages for one field of one node (field null: node-level messages). */
export function fieldMessages(map: IssueMap, nodeId: string, field: string | null): string[] {
  return (map.byNode.get(nodeId) ?? []).filter((issue) => issue.field === field).map((issue) => issue.message);
}

/** Messages for a node's fields that the side panel shows no input for, plus node-level ones. */
export function otherNodeMessages(map: IssueMap, nodeId: string, shownFields: readonly string[]): string[] {
  return (map.byNode.get(nodeId) ?? [])
    .filter((issue) => issue.field === null || !shownFields.includes(issue.field))
    .map((issue) => (issue.field ? `${issue.field}: ${issue.message}` : issue.message));
}

export function issueCount(map: IssueMap, nodeId: string): number {
  return map.byNode.get(nodeId)?.length ?? 0;
}

/** One line for a detail shown away from the editor: `Node "summary", prompt: message`. */
export function describeDetail(detail: Detail, nodes: ReadonlyArray<{ id: string }>): string {
  const target = parseDetailPath(detail.path);
  const node = target.kind === "node" && target.index !== undefined ? nodes[target.index] : undefined;
  if (!node) return `${detail.path}: ${detail.message}`;
  return `Node "${node.id}"${target.field ? `, ${target.field}` : ""}: ${detail.message}`;
}
