/**
 * Structural checks on a flow whose nodes passed (or partly passed) the schema: node count, ids,
 * edges, cycles, output wiring and names, and input columns against the CSV. Each check appends
 * `{path, message}` details; nothing throws, so one pass reports every problem.
 */
import type { ErrorDetail } from "../errors";
import { buildGraph, findCycles, type FlowGraph } from "./graph";
import type { FlowEdge, FlowNode } from "./schema";
import { EXPORT_STATUS_COLUMNS } from "../batch/export-records";

/** A node as far as validation got: always an id and type, `node` when its schema passed. */
export interface NodeEntry {
  index: number;
  id: string;
  type: string;
  node?: FlowNode;
}

export interface CheckInput {
  /** Every node with a usable id, in flow order. */
  entries: NodeEntry[];
  /** Number of nodes in the raw flow, valid or not. */
  nodeCount: number;
  /** Edges that passed the schema, with their index in the raw flow. */
  edges: Array<{ index: number; edge: FlowEdge }>;
  columns?: string[];
  maxNodes?: number;
}

/** Result columns every export adds after the flow's outputs: no output may take their names. */
export const RESERVED_COLUMNS: readonly string[] = EXPORT_STATUS_COLUMNS;

export const nodePath = (e: NodeEntry, field?: string): string => `nodes[${e.index}]${field ? `.${field}` : ""}`;
const quoteList = (ids: string[]): string => (ids.length > 0 ? ids.join(", ") : "none");

/** Runs every structural check; returns the graph built from the valid ids and edges. */
export function checkGraph(input: CheckInput, problems: ErrorDetail[]): FlowGraph {
  checkNodeCount(input, problems);
  const unique = checkIds(input.entries, problems);
  checkEdges(input, problems);
  const graph = buildGraph({ nodes: unique, edges: input.edges.map((e) => e.edge) });
  for (const cycle of findCycles(graph)) {
    const loop = [...cycle, cycle[0]].join(" → ");
    problems.push({ path: "edges", message: `cycle: ${loop}; remove one of these edges` });
  }
  checkWiring(unique, graph, problems);
  checkOutputNames(input, unique, problems);
  checkInputColumns(input, unique, problems);
  return graph;
}

function checkNodeCount(input: CheckInput, problems: ErrorDetail[]): void {
  if (input.maxNodes !== undefined && input.nodeCount > input.maxNodes) {
    problems.push({ path: "nodes", message: `flow has ${input.nodeCount} nodes; the limit is ${input.maxNodes}` });
  }
}

/** Reports repeated ids; returns the entries with the first occurrence of each id. */
function checkIds(entries: NodeEntry[], problems: ErrorDetail[]): NodeEntry[] {
  const first = new Map<string, NodeEntry>();
  for (const e of entries) {
    if (e.id === "__proto__") problems.push({ path: nodePath(e, "id"), message: 'node id "__proto__" is reserved' });
    const seen = first.get(e.id);
    if (seen) {
      problems.push({ path: nodePath(e, "id"), message: `duplicate node id "${e.id}" (also ${nodePath(seen)})` });
    } else first.set(e.id, e);
  }
  return [...first.values()];
}

function checkEdges(input: CheckInput, problems: ErrorDetail[]): void {
  const ids = new Set(input.entries.map((e) => e.id));
  const known = quoteList([...ids]);
  for (const { index, edge } of input.edges) {
    for (const end of ["source", "target"] as const) {
      if (!ids.has(edge[end])) {
        problems.push({ path: `edges[${index}].${end}`, message: `edge ${end} "${edge[end]}" is not a node; known: ${known}` });
      }
    }
  }
}

/** Output nodes take exactly one incoming edge and feed nothing; input nodes take no edges in. */
function checkWiring(entries: NodeEntry[], graph: FlowGraph, problems: ErrorDetail[]): void {
  let outputs = 0;
  for (const e of entries) {
    const ins = graph.upstream.get(e.id) ?? [];
    const outs = graph.downstream.get(e.id) ?? [];
    if (e.type === "output") {
      outputs++;
      if (ins.length !== 1) {
        const has = ins.length === 0 ? "none" : `${ins.length} (${ins.join(", ")})`;
        problems.push({ path: nodePath(e), message: `output node "${e.id}" needs exactly one incoming edge; it has ${has}` });
      }
      if (outs.length > 0) {
        problems.push({ path: nodePath(e), message: `output node "${e.id}" cannot feed other nodes (edges to ${outs.join(", ")})` });
      }
    }
    if (e.type === "input" && ins.length > 0) {
      problems.push({ path: nodePath(e), message: `input node "${e.id}" cannot have incoming edges (from ${ins.join(", ")})` });
    }
  }
  if (outputs === 0) {
    problems.push({ path: "nodes", message: "flow has no output node; add one to name a result column" });
  }
}

function checkOutputNames(input: CheckInput, entries: NodeEntry[], problems: ErrorDetail[]): void {
  const inputCols = new Set([...(input.columns ?? []), ...entriesInputColumns(entries)]);
  const used = new Map<string, NodeEntry>();
  for (const e of entries) {
    if (e.node?.type !== "output") continue;
    const name = e.node.data.name;
    const path = nodePath(e, "data.name");
    if (name.trim() === "") problems.push({ path, message: "output name is blank: name the result column" });
    const other = used.get(name);
    if (other) problems.push({ path, message: `output name "${name}" is already used by node "${other.id}"` });
    else used.set(name, e);
    if (inputCols.has(name)) {
      problems.push({ path, message: `output name "${name}" collides with the input column "${name}"; choose another name` });
    }
    if (RESERVED_COLUMNS.includes(name) || name === "__proto__") {
      problems.push({ path, message: `output name "${name}" is reserved; reserved names: ${RESERVED_COLUMNS.join(", ")}` });
    }
  }
}

function entriesInputColumns(entries: NodeEntry[]): string[] {
  return entries.flatMap((e) => (e.node?.type === "input" ? [e.node.data.column] : []));
}

function checkInputColumns(input: CheckInput, entries: NodeEntry[], problems: ErrorDetail[]): void {
  if (!input.columns) return;
  const columns = new Set(input.columns);
  for (const e of entries) {
    if (e.node?.type !== "input" || columns.has(e.node.data.column)) continue;
    problems.push({
      path: nodePath(e, "data.column"),
      message: `column "${e.node.data.column}" is not in the CSV; available: ${quoteList(input.columns)}`,
    });
  }
}
