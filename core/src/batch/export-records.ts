/**
 * The one definition of an export's records, shared by every host and the browser (pure and
 * browser-safe: no Node built-ins, no store, no engine). Columns: the input columns as given, one
 * per output node (data.name), then status, error, durationMs, token counts and costUsd (the row's USD over every pass). Rows are in input
 * order; a row without a result is `pending` (or `cancelled` once a cancelled job ended). Output
 * cells are text: text and JSON as their text, media as the stored reference, in CSV and JSON Lines.
 * An input column named like a status column (e.g. a CSV with its own `status`) keeps its value:
 * CSV cells are placed by position (the header then names both), and in JSON Lines the input
 * column's key becomes `input.<name>`, since one object cannot hold a key twice (and a later
 * column that repeats an earlier one's name gets ` (2)`).
 * Options (export-columns.ts) add per-node and per-row detail columns and JSON fields spread into
 * columns, a BOM for Excel, and how media cells are linked.
 */
import { csvBom, csvLine, jsonlLine } from "../csv/write";
import { extraColumns, type CellContext, type ExportOptions, type ExtraColumn, type MediaLink } from "./export-columns";
import type { JobStatus, RowResult, StoredOutput } from "./model";
import { isCancelled } from "./statuses";

export type { ExportOptions, MediaItem, MediaLink } from "./export-columns";

export const EXPORT_STATUS_COLUMNS = ["status", "error", "durationMs", "inputTokens", "outputTokens", "totalTokens", "costUsd"] as const;

export type ExportFormat = "csv" | "jsonl";

/** What an export needs to know about its job. */
export interface ExportJob {
  columns: readonly string[];
  outputColumns: readonly string[];
  status: JobStatus;
  /** The flow's nodes; needed only for the `nodes` and `spread` options. */
  flowConfig?: { nodes: readonly unknown[] };
}

export interface ExportLayout {
  columns: readonly string[];
  /** Output columns not already input columns. */
  outNames: string[];
  header: string[];
  /** JSON Lines key of each header cell. */
  keys: string[];
  /** Status of a row without a result. */
  missing: string;
  /** Columns the options added, after the status columns. */
  extra: ExtraColumn[];
  bom: boolean;
  mediaLink: MediaLink | undefined;
}

export function exportLayout(job: ExportJob, opts: ExportOptions = {}): ExportLayout {
  const outNames = job.outputColumns.filter((c) => !job.columns.includes(c));
  const extra = opts.nodes || opts.spread ? extraColumns(job.flowConfig?.nodes ?? [], opts) : [];
  const header = [...job.columns, ...outNames, ...EXPORT_STATUS_COLUMNS, ...extra.map((c) => c.name)];
  const missing = isCancelled(job.status) ? "cancelled" : "pending";
  const keys = jsonlKeys(header, job.columns.length);
  return { columns: job.columns, outNames, header, keys, missing, extra, bom: opts.bom === true, mediaLink: opts.mediaLink };
}

/** The file's first line: the CSV header (after a BOM when asked); JSON Lines has none. */
export function exportHeader(layout: ExportLayout, format: ExportFormat): string {
  if (format !== "csv") return "";
  return (layout.bom ? csvBom : "") + csvLine(layout.header);
}

/** One row as a line of the file (CSV formula-escaped by csv/write, JSON Lines as text values). */
export function exportLine(layout: ExportLayout, format: ExportFormat, row: Readonly<Record<string, string>>, result: RowResult | undefined): string {
  const values = exportValues(layout, row, result);
  return format === "csv" ? csvLine(values) : jsonlLine(Object.fromEntries(layout.keys.map((k, j) => [k, values[j]])));
}

/**
 * A whole file from the job's input rows and results (what a browser download builds). `inputs`
 * may be null (input rows unreadable): the input cells are then empty.
 */
export function exportText(
  job: ExportJob & { totalRows: number },
  inputs: readonly (Readonly<Record<string, string>> | undefined)[] | null,
  results: ReadonlyMap<number, RowResult>,
  format: ExportFormat,
  opts: ExportOptions = {},
): string {
  const layout = exportLayout(job, opts);
  const lines = [exportHeader(layout, format)];
  for (let i = 0; i < job.totalRows; i++) lines.push(exportLine(layout, format, inputs?.[i] ?? {}, results.get(i)));
  return lines.join("");
}

/**
 * JSON Lines keys for `header`: an input column (the first `inputCount`) that a later column reuses
 * gets `input.` prefixes; a later column repeating an earlier later column (an output named like an
 * option's column) gets ` (2)`, ` (3)`...
 */
function jsonlKeys(header: readonly string[], inputCount: number): string[] {
  const later: string[] = [];
  const seen = new Set<string>();
  for (const name of header.slice(inputCount)) {
    let key = name;
    for (let n = 2; seen.has(key); n++) key = `${name} (${n})`;
    seen.add(key);
    later.push(key);
  }
  const inputs = header.slice(0, inputCount).map((name) => {
    let key = name;
    while (seen.has(key)) key = `input.${key}`;
    seen.add(key);
    return key;
  });
  return [...inputs, ...later];
}

/** The cell context of one row: media go through the layout's link. */
function cellContext(layout: ExportLayout, result: RowResult | undefined): CellContext {
  const link = layout.mediaLink;
  return {
    result,
    output(o, nodeId) {
      if (o?.kind !== "mediaRef" || !link || !result) return outputText(o);
      return link({ ref: o.ref, mimeType: o.mimeType, rowIndex: result.rowIndex, nodeId });
    },
  };
}

/** The node that produced an output column's value (a media output is the node's own stored file). */
function sourceNode(result: RowResult | undefined, name: string): string {
  const o = result?.outputs[name];
  if (o?.kind !== "mediaRef") return name;
  const hit = Object.entries(result?.nodeOutputs ?? {}).find(([, n]) => n.kind === "mediaRef" && n.ref === o.ref);
  return hit ? hit[0] : name;
}

/** One row's cells in header order: input columns, outputs, the status columns, then the options' columns. */
function exportValues(layout: ExportLayout, row: Readonly<Record<string, string>>, result: RowResult | undefined): unknown[] {
  const ctx = cellContext(layout, result);
  return [
    ...layout.columns.map((c) => row[c] ?? ""),
    ...layout.outNames.map((o) => ctx.output(result?.outputs[o], sourceNode(result, o))),
    result?.status ?? layout.missing,
    result?.error ? result.error.message : "",
    result ? Math.round(result.durationMs) : "",
    result?.usage.inputTokens ?? "",
    result?.usage.outputTokens ?? "",
    result?.usage.totalTokens ?? "",
    result ? result.costUsd : "",
    ...layout.extra.map((c) => c.cell(ctx)),
  ];
}

/** An output cell's text: text and JSON as text, media as its stored reference. */
export function outputText(o: StoredOutput | undefined): string {
  if (!o) return "";
  switch (o.kind) {
    case "text":
    case "json":
      return o.text;
    case "mediaRef":
      return o.ref;
  }
}
