/**
 * exportRows: the job's rows as CSV or JSON Lines, streamed chunk by chunk: input columns as given,
 * one column per output node (data.name), then status, error, durationMs and token counts. Rows come
 * in input order; a row without a result is `pending` (or `cancelled` once a cancelled job ended).
 * Works while the job runs. Ownership is the host's check (it calls getJob first).
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
      const record = exportRecord(row, job.columns, outNames, byRow.get(chunk.start + i), missing);
      lines.push(format === "csv" ? csvLine(header.map((h) => record[h] ?? "")) : jsonlLine(record));
    });
    yield lines.join("");
  }
}

function exportRecord(
  row: Record<string, string>,
  columns: string[],
  outNames: string[],
  result: RowResult | undefined,
  missing: string,
): Record<string, unknown> {
  const rec: Record<string, unknown> = {};
  for (const c of columns) rec[c] = row[c] ?? "";
  for (const o of outNames) rec[o] = result?.outputs[o] ? outputValue(result.outputs[o]) : "";
  rec.status = result?.status ?? missing;
  rec.error = result?.error ? result.error.message : "";
  rec.durationMs = result ? Math.round(result.durationMs) : "";
  rec.inputTokens = result?.usage.inputTokens ?? "";
  rec.outputTokens = result?.usage.outputTokens ?? "";
  rec.totalTokens = result?.usage.totalTokens ?? "";
  return rec;
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
