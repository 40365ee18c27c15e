/**
 * exportRows: the job's rows as CSV or JSON Lines, streamed chunk by chunk: input columns as given,
 * one column per output node (data.name), then status, error, durationMs and token counts. Rows come
 * in input order; a row without a result is `pending` (or `cancelled` once a cancelled job ended).
 * Works while the job runs. Ownership is the host's check (it calls getJob first).
 * An input column named like a status column (e.g. a CSV with its own `status`) keeps its value:
 * CSV cells are placed by position (the header then names both), and in JSON Lines the input
 * column's key becomes `input.<name>`, since one object cannot hold a key twice.
 */
import { PermanentError } from "../errors";
import { csvLine, jsonlLine } from "../csv/write";
import type { BatchDeps } from "./api";
import { makeContext, loadRowsChunk, readJob } from "./context";
import { resultsPath, RowResult, type StoredOutput } from "./model";

export const EXPORT_STATUS_COLUMNS = ["status", "error", "durationMs", "inputTokens", "outputTokens", "totalTokens"] as const;

export async function* exportRows(deps: BatchDeps, jobId: string, format: "csv" | "jsonl"): AsyncGenerator<string> {
  const ctx = makeContext(deps);
  const job = await readJob(deps.store, jobId);
  if (!job) throw new PermanentError("not_found", `Batch ${jobId} was not found`);
  const outNames = job.outputColumns.filter((c) => !job.columns.includes(c));
  const header = [...job.columns, ...outNames, ...EXPORT_STATUS_COLUMNS];
  const keys = jsonlKeys(header, job.columns.length);
  if (format === "csv") yield csvLine(header);
  const missing = job.status === "cancelled" ? "cancelled" : "pending";
  for (let n = 0; n < job.rowChunkStarts.length; n++) {
    const chunk = await loadRowsChunk(ctx, jobId, n);
    const last = chunk.start + chunk.rows.length - 1;
    const docs = await deps.store.query(resultsPath(jobId), {
      where: [
        { field: "rowIndex", op: ">=", value: chunk.start },
        { field: "rowIndex", op: "<=", value: last },
      ],
      orderBy: { field: "rowIndex" },
    });
    const byRow = new Map(docs.map((d) => [Number(d.data.rowIndex), RowResult.parse(d.data)]));
    const lines: string[] = [];
    chunk.rows.forEach((row, i) => {
      const values = exportValues(row, job.columns, outNames, byRow.get(chunk.start + i), missing);
      lines.push(format === "csv" ? csvLine(values) : jsonlLine(Object.fromEntries(keys.map((k, j) => [k, values[j]]))));
    });
    yield lines.join("");
  }
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
function exportValues(
  row: Record<string, string>,
  columns: string[],
  outNames: string[],
  result: RowResult | undefined,
  missing: string,
): unknown[] {
  return [
    ...columns.map((c) => row[c] ?? ""),
    ...outNames.map((o) => (result?.outputs[o] ? outputValue(result.outputs[o]) : "")),
    result?.status ?? missing,
    result?.error ? result.error.message : "",
    result ? Math.round(result.durationMs) : "",
    result?.usage.inputTokens ?? "",
    result?.usage.outputTokens ?? "",
    result?.usage.totalTokens ?? "",
  ];
}

function outputValue(o: StoredOutput): string {
  switch (o.kind) {
    case "text":
    case "json":
      return o.text;
    case "mediaRef":
      return o.ref;
  }
}
