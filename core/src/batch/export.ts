/**
 * exportRows: the job's rows as CSV or JSON Lines, streamed chunk by chunk while the job may still
 * run. The records themselves are export-records.ts (shared with the browser's download, so both
 * hosts write the same bytes). Ownership is the host's check (it calls getJob first).
 */
import { PermanentError } from "../errors";
import type { BatchDeps } from "./api";
import { readRowsChunk, readJob } from "./context";
import { exportHeader, exportLayout, exportLine, type ExportFormat, type ExportOptions } from "./export-records";
import { resultsPath, RowResult } from "./model";

export async function* exportRows(deps: BatchDeps, jobId: string, format: ExportFormat, opts: ExportOptions = {}): AsyncGenerator<string> {
  const job = await readJob(deps.store, jobId);
  if (!job) throw new PermanentError("not_found", `Batch ${jobId} was not found`);
  const layout = exportLayout(job, opts);
  if (format === "csv") yield exportHeader(layout, format);
  for (let n = 0; n < job.rowChunkStarts.length; n++) {
    // Each chunk is read once: no cache, so the export holds one chunk of input at a time.
    const chunk = await readRowsChunk(deps.store, jobId, n);
    const last = chunk.start + chunk.rows.length - 1;
    const docs = await deps.store.query(resultsPath(jobId), {
      where: [
        { field: "rowIndex", op: ">=", value: chunk.start },
        { field: "rowIndex", op: "<=", value: last },
      ],
      orderBy: { field: "rowIndex" },
    });
    const byRow = new Map(docs.map((d) => [Number(d.data.rowIndex), RowResult.parse(d.data)]));
    yield chunk.rows.map((row, i) => exportLine(layout, format, row, byRow.get(chunk.start + i))).join("");
  }
}
