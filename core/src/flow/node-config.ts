/**
 * What a node's output depends on, apart from its inputs: the fields of `data` the engine reads
 * (editor state such as `label`, colours or notes is left out, so renaming a step re-runs nothing).
 * Pure and free of Node APIs, so the web app compares a batch's flow with the editor's with it too.
 */
import type { Flow, FlowNode } from "./schema";

/** The node's output-relevant configuration, as plain data (absent fields left out). */
export function nodeConfig(node: FlowNode): Record<string, unknown> {
  const pick = (keys: string[]): Record<string, unknown> => {
    const data = node.data as Record<string, unknown>;
    const out: Record<string, unknown> = { type: node.type };
    for (const k of keys) if (data[k] !== undefined) out[k] = data[k];
    return out;
  };
  switch (node.type) {
    case "input":
      return pick(["column"]);
    case "text":
      return pick(["model", "prompt", "system", "temperature", "maxOutputTokens", "jsonSchema"]);
    case "image":
      return pick(["model", "prompt", "aspectRatio"]);
    case "video":
      return pick(["model", "prompt", "aspectRatio", "durationSeconds"]);
    case "output":
      return pick(["name"]);
  }
}

/** JSON with object keys sorted at every level: equal values give equal text. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => stableJson(v ?? null)).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

export type NodeChange = "added" | "removed" | "changed";

/**
 * Nodes of `to` that differ from `from` by id: `added`, `removed`, or `changed` (its configuration
 * or the set of nodes feeding it differs). Nodes absent from the answer are the same in both.
 * Both flows must be parsed (defaults applied), or an omitted default reads as a change.
 */
export function flowChanges(from: Flow, to: Flow): Map<string, NodeChange> {
  const key = (flow: Flow, node: FlowNode): string => {
    const ups = flow.edges
      .filter((e) => e.target === node.id)
      .map((e) => e.source)
      .sort();
    return stableJson({ config: nodeConfig(node), ups: [...new Set(ups)] });
  };
  const before = new Map(from.nodes.map((n) => [n.id, key(from, n)]));
  const out = new Map<string, NodeChange>();
  for (const n of to.nodes) {
    const was = before.get(n.id);
    if (was === undefined) out.set(n.id, "added");
    else if (was !== key(to, n)) out.set(n.id, "changed");
    before.delete(n.id);
  }
  for (const id of before.keys()) out.set(id, "removed");
  return out;
}
