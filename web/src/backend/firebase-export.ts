/**
 * The Firebase-mode download: the file is built in the browser from the job's documents as
 * Firestore holds them (the job, its `results` and its input `rows` chunks), by the same core
 * records the local host streams (`@core/batch/export-records`), so both write the same bytes.
 */
import { exportText, type ExportFormat } from "@core/batch/export-records";
import { RowResult, type Job } from "@core/batch/model";
import { inputsFromRowDocs, type RowDoc } from "../lib/row-docs";

/**
 * `rowDocs` null means the input rows could not be read (the export then has empty input cells).
 * A result document that does not parse is left out (its row exports as not run yet).
 */
export function firebaseExportText(
  job: Pick<Job, "columns" | "outputColumns" | "status" | "totalRows">,
  resultDocs: readonly unknown[],
  rowDocs: readonly RowDoc[] | null,
  format: ExportFormat,
): string {
  const results = new Map<number, RowResult>();
  for (const data of resultDocs) {
    const parsed = RowResult.safeParse(data);
    if (parsed.success) results.set(parsed.data.rowIndex, parsed.data);
  }
  const inputs = rowDocs ? inputsFromRowDocs(rowDocs) : null;
  return exportText(job, inputs, results, format);
}
