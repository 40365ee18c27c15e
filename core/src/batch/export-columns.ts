/**
 * Optional export columns (pure and browser-safe, like export-records.ts):
 * - `nodes`: per row `failedNode`, `attempts` and `pass`, then per step node (text, image, video,
 *   in flow order) `<id>:output`, `<id>:status`, `<id>:tokens`, `<id>:model`, `<id>:durationMs`
 *   and `<id>:errorCode`, read from the result's trace and node outputs;
 * - `spread`: a text node with a JSON schema gets one column per top-level property of the schema,
 *   `<id>.<field>`. The columns come from the schema, not from the answers, so the header is known
 *   before the first row is read (exports stream); a field an answer lacks is empty, and a nested
 *   value is written as JSON text.
 * Every cell still goes through csv/write (formula escaping included).
 */
import { z } from "zod";
import type { RowResult, StoredOutput } from "./model";

/** A media output as an export meets it. */
export interface MediaItem {
  ref: string;
  mimeType: string;
  rowIndex: number;
  /** The node that produced it. */
  nodeId: string;
}

/** What a media cell holds: a URL, a relative file path, a storage path (default: the stored reference). */
export type MediaLink = (media: MediaItem) => string;

export interface ExportOptions {
  /** Per-node and per-row detail columns (see the module comment). */
  nodes?: boolean;
  /** JSON outputs spread into one column per field. */
  spread?: boolean;
  /** CSV only: start the file with a UTF-8 byte order mark, so Excel reads it as UTF-8. */
  bom?: boolean;
  mediaLink?: MediaLink;
}

export interface CellContext {
  result: RowResult | undefined;
  /** An output's cell: media through the export's link, text and JSON as text. */
  output(o: StoredOutput | undefined, nodeId: string): string;
}

export interface ExtraColumn {
  name: string;
  cell(ctx: CellContext): unknown;
}

const STEP_TYPES = new Set(["text", "image", "video"]);

// The flow was checked when the job was created; this reads only what the columns need.
const FlowNode = z.looseObject({
  id: z.string(),
  type: z.string(),
  data: z.looseObject({ jsonSchema: z.looseObject({ properties: z.record(z.string(), z.unknown()).optional() }).optional() }).optional(),
});

interface StepNode {
  id: string;
  /** Top-level properties of the node's JSON schema (none for plain text and media). */
  fields: string[];
}

function stepNodes(flowNodes: readonly unknown[]): StepNode[] {
  const steps: StepNode[] = [];
  for (const raw of flowNodes) {
    const node = FlowNode.safeParse(raw);
    if (!node.success || !STEP_TYPES.has(node.data.type)) continue;
    const props = node.data.type === "text" ? node.data.data?.jsonSchema?.properties : undefined;
    steps.push({ id: node.data.id, fields: props ? Object.keys(props) : [] });
  }
  return steps;
}

/** The row that failed first names its node on the error; older results only in the trace. */
function failedNode(result: RowResult | undefined): string {
  if (!result || result.status !== "failed") return "";
  return result.error?.nodeId ?? Object.keys(result.trace).find((id) => result.trace[id]?.status === "failed") ?? "";
}

function nodeColumns(id: string): ExtraColumn[] {
  const trace = (ctx: CellContext) => ctx.result?.trace[id];
  const duration = (ctx: CellContext): unknown => {
    const ms = trace(ctx)?.durationMs;
    return ms === undefined ? "" : Math.round(ms);
  };
  return [
    { name: `${id}:output`, cell: (ctx) => ctx.output(ctx.result?.nodeOutputs[id], id) },
    { name: `${id}:status`, cell: (ctx) => trace(ctx)?.status ?? "" },
    { name: `${id}:tokens`, cell: (ctx) => trace(ctx)?.usage?.totalTokens ?? "" },
    { name: `${id}:model`, cell: (ctx) => trace(ctx)?.model ?? "" },
    { name: `${id}:durationMs`, cell: duration },
    { name: `${id}:errorCode`, cell: (ctx) => trace(ctx)?.error?.code ?? "" },
  ];
}

function fieldOf(o: StoredOutput | undefined, field: string): unknown {
  if (o?.kind !== "json" || typeof o.value !== "object" || o.value === null || Array.isArray(o.value)) return "";
  const value = o.value as Record<string, unknown>;
  return Object.hasOwn(value, field) ? (value[field] ?? "") : "";
}

const ROW_DETAIL_COLUMNS: ExtraColumn[] = [
  { name: "failedNode", cell: (ctx) => failedNode(ctx.result) },
  { name: "attempts", cell: (ctx) => ctx.result?.attempts ?? "" },
  { name: "pass", cell: (ctx) => ctx.result?.pass ?? "" },
];

/** The optional columns `opts` asks for, in header order (after the status columns). */
export function extraColumns(flowNodes: readonly unknown[], opts: ExportOptions): ExtraColumn[] {
  const cols: ExtraColumn[] = opts.nodes ? [...ROW_DETAIL_COLUMNS] : [];
  for (const node of stepNodes(flowNodes)) {
    if (opts.nodes) cols.push(...nodeColumns(node.id));
    if (opts.spread) {
      for (const field of node.fields) cols.push({ name: `${node.id}.${field}`, cell: (ctx) => fieldOf(ctx.result?.nodeOutputs[node.id], field) });
    }
  }
  return cols;
}
