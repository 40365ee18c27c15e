/**
 * The CSV template of a flow: its input columns as a header plus one example row, for a user to
 * fill in a spreadsheet and upload. Each example cell is the input node's own `data.example` when
 * the flow gives one, else a placeholder naming the column (`example <label or column>`).
 * The text is RFC 4180 with CRLF (csv/write.ts, formula-escaped like every export) and starts with
 * a UTF-8 BOM, so Excel reads non-ASCII column names as UTF-8 (our CSV reader drops the BOM).
 */
import { ValidationError } from "../errors";
import { csvBom, csvLine } from "../csv/write";
import { parseFlow } from "./parse";
import type { Flow } from "./schema";

export interface FlowTemplate {
  columns: string[];
  /** The example row: column → cell. */
  example: Record<string, string>;
  csv: string;
}

/** Validates the flow (parseFlow's details) and builds its template; a flow with no input node is a ValidationError. */
export function flowTemplate(rawFlow: unknown): FlowTemplate {
  const flow = parseFlow(rawFlow);
  const example = exampleRow(flow);
  const columns = Object.keys(example);
  if (columns.length === 0) {
    throw new ValidationError("The flow reads no CSV column, so it has no template", [
      { path: "flow.nodes", message: "add an input node (its column becomes a template column)" },
    ]);
  }
  const csv = csvBom + csvLine(columns) + csvLine(columns.map((c) => example[c]));
  return { columns, example, csv };
}

/** Input columns in flow order, each once; a column's first input node with an example gives it. */
function exampleRow(flow: Flow): Record<string, string> {
  const given = new Map<string, string>();
  const placeholder = new Map<string, string>();
  for (const node of flow.nodes) {
    if (node.type !== "input") continue;
    const { column, example, label } = node.data;
    if (!placeholder.has(column)) placeholder.set(column, `example ${label?.trim() || column}`);
    if (!given.has(column) && typeof example === "string" && example !== "") given.set(column, example);
  }
  return Object.fromEntries([...placeholder].map(([column, ph]) => [column, given.get(column) ?? ph]));
}

/** `<name>.template.csv`, the name reduced to characters safe in a download header (else `flow`). */
export function templateFilename(name?: string): string {
  const safe = (name ?? "")
    .replace(/[^A-Za-z0-9_.-]+/g, "_")
    .replace(/^[_.]+|_+$/g, "")
    .slice(0, 80);
  return `${safe || "flow"}.template.csv`;
}
