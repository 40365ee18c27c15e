/** Pure edits of the editor's nodes and edges used by the side panel. */
import type { Edge, Node } from "@xyflow/react";

export function updateNodeData(nodes: Node[], id: string, patch: Record<string, unknown>): Node[] {
  return nodes.map((n) => {
    if (n.id !== id) return n;
    const data: Record<string, unknown> = { ...n.data, ...patch };
    for (const key of Object.keys(patch)) if (patch[key] === undefined) delete data[key];
    return { ...n, data };
  });
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Rewrites `{{from}}` and `{{from.field}}` references in a prompt to the new id. */
export function renameRefs(prompt: string, from: string, to: string): string {
  return prompt.replace(new RegExp(`\\{\\{(\\s*)${escapeRegExp(from)}((?:\\.[A-Za-z0-9_-]+)*\\s*)\\}\\}`, "g"), `{{$1${to}$2}}`);
}

/** Renames a node, every edge end that points at it, and the prompt references to it. */
export function renameNode(graph: { nodes: Node[]; edges: Edge[] }, from: string, to: string): { nodes: Node[]; edges: Edge[] } {
  if (graph.nodes.some((n) => n.id === to)) return graph;
  const withRefs = (n: Node): Node =>
    typeof n.data.prompt === "string" && n.data.prompt.includes(from) ? { ...n, data: { ...n.data, prompt: renameRefs(n.data.prompt, from, to) } } : n;
  return {
    nodes: graph.nodes.map((n) => withRefs(n.id === from ? { ...n, id: to } : n)),
    edges: graph.edges.map((e) =>
      e.source === from || e.target === from
        ? {
            ...e,
            id: `e-${e.source === from ? to : e.source}-${e.target === from ? to : e.target}`,
            source: e.source === from ? to : e.source,
            target: e.target === from ? to : e.target,
          }
        : e,
    ),
  };
}

export function toggleEdge(edges: Edge[], source: string, target: string, on: boolean): Edge[] {
  const exists = edges.some((e) => e.source === source && e.target === target);
  if (on && !exists) return [...edges, { id: `e-${source}-${target}`, source, target }];
  if (!on) return edges.filter((e) => !(e.source === source && e.target === target));
  return edges;
}
