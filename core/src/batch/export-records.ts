/**
 * The one definition of an export's records, shared by every host and the browser (pure and
 * browser-safe: no Node built-ins, no store, no engine). Columns: the input columns as given, one
 * per output node (data.name), then status, error, durationMs, token counts and costUsd (the row's USD over every pass). Rows are in input
 * order; a row without a result is `pending` (or `cancelled` once a cancelled job ended). Output
 * cells are text: text and JSON as their text, media as the stored reference, in CSV and JSON Lines.
 * An input column named like a status column (e.g. a CSV with its own `status`) keeps its value:
 * CSV cells are placed by position (the header then names both), and in JSON Lines the input
 * column's key becomes `input.<name>`, since one object cannot hold a key twice.
 */
import { csvLine, jsonlLine } from "../csv/write";
import type { JobStatus, RowResult, StoredOutput } from "./model";

export const EXPORT_STATUS_COLUMNS = ["status", "error", "durationMs", "inputTokens", "outputTokens", "totalTokens", "costUsd"] as const;

export type ExportFormat = "csv" | "jsonl";

/** What an export needs to know about its job. */
export interface ExportJob {
  columns: readonly string[];
  outputColumns: readonly string[];
  status: JobStatus;
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
}

export function exportLayout(job: ExportJob): ExportLayout {
  const outNames = job.outputColumns.filter((c) => !job.columns.includes(c));
  const header = [...job.columns, ...outNames, ...EXPORT_STATUS_COLUMNS];
  const missing = job.status === "cancelled" ? "cancelled" : "pending";
  return { columns: job.columns, outNames, header, keys: jsonlKeys(header, job.columns.length), missing };
}

/** The file's first line: the CSV header; JSON Lines has none. */
export function exportHeader(layout: ExportLayout, format: ExportFormat): string {
  return format === "csv" ? csvLine(layout.header) : "";
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
): string {
  const layout = exportLayout(job);
  const lines = [exportHeader(layout, format)];
  for (let i = 0; i < job.totalRows; i++) lines.push(exportLine(layout, format, inputs?.[i] ?? {}, results.get(i)));
  return lines.join("");
}

/** JSON Lines keys for `header`: an input column (the first `inputCount`) that a later column reuses gets `input.` prefixes. */
function jsonlKeys(header: readonly string[], inputCount: number): string[] {
  const used = new Set(header.slice(inputCount));
  return header.map((name, i) => {
    if (i >= inputCount) return name;
    let key = name;
    while (used.has(key)) key = `input.${key}`;
    used.add(key);
    return key;
  });
}

/** One row's cells in header order: input columns, outputs, then the status columns. */
function exportValues(layout: ExportLayout, row: Readonly<Record<string, string>>, result: RowResult | undefined): unknown[] {
  return [
    ...layout.columns.map((c) => row[c] ?? ""),
    ...layout.outNames.map((o) => outputText(result?.outputs[o])),
    result?.status ?? layout.missing,
    result?.error ? result.error.message : "",
    result ? Math.round(result.durationMs) : "",
    result?.usage.inputTokens ?? "",
    result?.usage.outputTokens ?? "",
    result?.usage.totalTokens ?? "",
    result ? result.costUsd : "",
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
