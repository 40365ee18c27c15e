/**
 * `parseFlow`: the one way a flow enters the system. Runs the zod schema node by node, then the
 * graph and template checks, and throws ONE `ValidationError("invalid_flow")` listing every problem
 * as `{path, message}` (e.g. `nodes[1].data.prompt`). On success it returns a `ValidFlow` that
 * carries the graph it checked (valid-flow.ts). Also the flow's column queries.
 */
import { type z } from "zod";
import { utf8ByteLength } from "../csv/utf8";
import { ValidationError, type ErrorDetail } from "../errors";
import { checkJsonTree, MAX_JSON_DEPTH } from "../json-limits";
import { checkGraph, type NodeEntry } from "./check-graph";
import { checkTemplates } from "./check-templates";
import { FlowEdge, ImageNode, InputNode, NODE_TYPES, NodeId, OutputNode, TextNode, VideoNode, type Flow, type FlowNode, type NodeType } from "./schema";
import { brandValidFlow, type ValidFlow } from "./valid-flow";

export interface ParseFlowOptions {
  /** The CSV's columns: every input node's column must be one of them. */
  columns?: string[];
  maxNodes?: number;
  /** Largest flow, as JSON in UTF-8 bytes (default `MAX_FLOW_BYTES`). */
  maxBytes?: number;
}

/**
 * A flow is stored whole in its job document (Firestore: at most 1 MiB, with the columns beside
 * it), so it may take half of that. Fifty nodes with long prompts fit easily.
 */
export const MAX_FLOW_BYTES = 512 * 1024;

const NODE_SCHEMAS: Record<NodeType, z.ZodType<FlowNode>> = {
  input: InputNode,
  text: TextNode,
  image: ImageNode,
  video: VideoNode,
  output: OutputNode,
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isNodeType = (t: unknown): t is NodeType => typeof t === "string" && (NODE_TYPES as readonly string[]).includes(t);

/** Validates raw flow JSON (an object, or a JSON string) and returns the typed, validated flow. */
export function parseFlow(raw: unknown, opts: ParseFlowOptions = {}): ValidFlow {
  const problems: ErrorDetail[] = [];
  const top = parseTop(raw, problems, opts.maxBytes ?? MAX_FLOW_BYTES);
  if (!top) throw invalidFlow(problems);
  const entries = top.nodes.map((n, i) => parseNode(n, i, problems));
  const edges = top.edges.map((e, i) => parseEdge(e, i, problems));
  const known = entries.filter((e): e is NodeEntry => e !== null);
  const graph = checkGraph(
    {
      entries: known,
      nodeCount: top.nodes.length,
      edges: edges.flatMap((edge, index) => (edge ? [{ index, edge }] : [])),
      ...opts,
    },
    problems,
  );
  checkTemplates(known, graph, problems);
  if (problems.length > 0) throw invalidFlow(problems);
  const nodes = known.map((e) => e.node as FlowNode);
  return brandValidFlow({ ...top.rest, nodes, edges: edges as FlowEdge[] }, graph);
}

function invalidFlow(problems: ErrorDetail[]): ValidationError {
  const first = problems[0] as ErrorDetail;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
  return new ValidationError(`Invalid flow: ${first.path}: ${first.message}${more}`, problems, "invalid_flow");
}

interface TopLevel {
  nodes: unknown[];
  edges: unknown[];
  rest: Record<string, unknown>;
}

function parseTop(raw: unknown, problems: ErrorDetail[], maxBytes: number): TopLevel | null {
  let value = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      problems.push({ path: "flow", message: "flow is not valid JSON" });
      return null;
    }
  }
  if (!isRecord(value)) {
    problems.push({ path: "flow", message: "flow must be an object with nodes and edges" });
    return null;
  }
  if (!storable(value, problems, maxBytes)) return null;
  const { nodes, edges, ...rest } = value;
  if (!Array.isArray(nodes)) {
    problems.push({ path: "nodes", message: "nodes is required: an array of nodes" });
    return null;
  }
  if (nodes.length === 0) problems.push({ path: "nodes", message: "flow has no nodes" });
  if (edges !== undefined && !Array.isArray(edges)) {
    problems.push({ path: "edges", message: "edges must be an array of {source, target}" });
    return null;
  }
  return { nodes, edges: edges ?? [], rest };
}

/**
 * The whole flow is kept as given (editors keep UI state such as `label` in node data), so it is
 * bounded as a whole: depth, reserved keys, nested arrays (see json-limits.ts), then size.
 */
function storable(value: Record<string, unknown>, problems: ErrorDetail[], maxBytes: number): boolean {
  const before = problems.length;
  checkJsonTree(value, problems, { maxDepth: MAX_JSON_DEPTH });
  if (problems.length > before) return false;
  const bytes = utf8ByteLength(JSON.stringify(value));
  if (bytes <= maxBytes) return true;
  problems.push({ path: "flow", message: `flow is ${bytes} bytes as JSON; at most ${maxBytes} allowed` });
  return false;
}

/** Schema-checks one node; returns what is known about it (null without a usable id). */
function parseNode(raw: unknown, index: number, problems: ErrorDetail[]): NodeEntry | null {
  const path = `nodes[${index}]`;
  if (!isRecord(raw)) {
    problems.push({ path, message: "node must be an object with id, type and data" });
    return null;
  }
  const idOk = NodeId.safeParse(raw.id);
  if (!idOk.success) pushIssues(idOk.error, raw.id, `${path}.id`, problems, "id");
  const id = idOk.success ? idOk.data : null;
  if (!isNodeType(raw.type)) {
    const what = raw.type === undefined ? "has no type" : `has unknown type ${JSON.stringify(raw.type)}`;
    const name = id ?? (typeof raw.id === "string" ? raw.id : `#${index}`);
    problems.push({ path: `${path}.type`, message: `node "${name}" ${what}; valid types: ${NODE_TYPES.join(", ")}` });
    return id ? { index, id, type: String(raw.type) } : null;
  }
  if (!id) return null;
  const parsed = NODE_SCHEMAS[raw.type].safeParse(raw);
  if (!parsed.success) {
    pushIssues(parsed.error, raw, path, problems);
    return { index, id, type: raw.type };
  }
  return { index, id, type: raw.type, node: parsed.data };
}

function parseEdge(raw: unknown, index: number, problems: ErrorDetail[]): FlowEdge | null {
  const parsed = FlowEdge.safeParse(raw);
  if (parsed.success) return parsed.data;
  pushIssues(parsed.error, raw, `edges[${index}]`, problems);
  return null;
}

/** Maps zod issues to details under `prefix`, saying "is required" for missing fields. */
function pushIssues(error: z.ZodError, raw: unknown, prefix: string, problems: ErrorDetail[], field?: string): void {
  for (const issue of error.issues) {
    const keys = issue.path.map(String);
    const path = prefix + keys.map((k) => (/^\d+$/.test(k) ? `[${k}]` : `.${k}`)).join("");
    const name = keys[keys.length - 1] ?? field ?? "value";
    const missing = issue.code === "invalid_type" && valueAt(raw, keys) === undefined;
    problems.push({ path, message: missing ? `${name} is required` : issue.message });
  }
}

function valueAt(raw: unknown, keys: string[]): unknown {
  let cur = raw;
  for (const k of keys) cur = isRecord(cur) || Array.isArray(cur) ? (cur as Record<string, unknown>)[k] : undefined;
  return cur;
}

/** Result column names (`data.name` of output nodes), in flow order. */
export function outputColumns(flow: Flow): string[] {
  return flow.nodes.flatMap((n) => (n.type === "output" ? [n.data.name] : []));
}

/** CSV columns the flow reads (`data.column` of input nodes), in flow order, each once. */
export function inputColumns(flow: Flow): string[] {
  return [...new Set(flow.nodes.flatMap((n) => (n.type === "input" ? [n.data.column] : [])))];
}

/** Output node id → the id of the node that feeds it (its single incoming edge's source). */
export function outputSources(flow: Flow): Map<string, string> {
  const outputs = new Set(flow.nodes.filter((n) => n.type === "output").map((n) => n.id));
  const sources = new Map<string, string>();
  for (const e of flow.edges) if (outputs.has(e.target) && !sources.has(e.target)) sources.set(e.target, e.source);
  return sources;
}
