/**
 * The shape of a results download built in the browser (Firebase mode), matching the server's
 * export: input columns as given, one column per output, then status, error, duration and tokens;
 * rows in input order; rows without a result yet are `pending`.
 */
import type { RowResult, StoredOutput } from "@core/batch/model";

export const STATUS_COLUMNS = ["status", "error", "durationMs", "inputTokens", "outputTokens", "totalTokens"] as const;

export interface ExportJob {
  columns: readonly string[];
  outputColumns: readonly string[];
  totalRows: number;
}

export function exportColumns(job: ExportJob): string[] {
  return [...job.columns, ...job.outputColumns, ...STATUS_COLUMNS];
}

/** Text for a CSV cell: text and JSON as text, media as its stored reference. */
export function outputText(output: StoredOutput | undefined): string {
  if (!output) return "";
  switch (output.kind) {
    case "text":
    case "json":
      return output.text;
    case "mediaRef":
      return output.ref;
  }
}

/** One exported row; `json` keeps JSON outputs as values (for JSONL) instead of text. */
export function exportRecord(
  job: ExportJob,
  input: Readonly<Record<string, string>> | undefined,
  result: RowResult | undefined,
  json = false,
): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const column of job.columns) record[column] = input?.[column] ?? "";
  for (const name of job.outputColumns) {
    const output = result?.outputs[name];
    record[name] = json && output?.kind === "json" ? output.value : outputText(output);
  }
  record.status = result?.status ?? "pending";
  record.error = result?.error?.message ?? "";
  record.durationMs = result?.durationMs ?? "";
  record.inputTokens = result?.usage.inputTokens ?? "";
  record.outputTokens = result?.usage.outputTokens ?? "";
  record.totalTokens = result?.usage.totalTokens ?? "";
  return record;
}

/** Every row of the job, in input order. */
export function exportRecords(
  job: ExportJob,
  inputs: ReadonlyArray<Record<string, string>> | null,
  results: ReadonlyMap<number, RowResult>,
  json = false,
): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < job.totalRows; i++) out.push(exportRecord(job, inputs?.[i], results.get(i), json));
  return out;
}
