/**
 * listRows: a job's input cells by row index, one page at a time, for clients that show inputs
 * beside outputs (the results table scrolls through them page by page).
 *
 * A page is a range read: the chunk holding the first row is found by binary search over the job
 * doc's `rowChunkStarts`, and only the chunks that overlap [cursor, cursor + limit) are read (by
 * path, through the per-instance chunk cache). The rows collection is never listed or scanned.
 */
import { ValidationError } from "../errors";
import { assertOwned } from "./access";
import type { Caller } from "./api";
import type { BatchContext } from "./context";
import { chunkOf, loadRowsChunk, readJob } from "./context";

/** One input row: its index in the batch (the index results carry) and its cells by column. */
export interface InputRow {
  rowIndex: number;
  cells: Record<string, string>;
}

export interface RowsPage {
  /** The job's input columns, in CSV order. */
  columns: string[];
  rows: InputRow[];
  /** The row index the next page starts at; null after the last row. */
  nextCursor: string | null;
}

export const ROWS_PAGE_DEFAULT = 100;
export const ROWS_PAGE_MAX = 1000;

export async function listRows(ctx: BatchContext, caller: Caller, jobId: string, opts: { limit?: number; cursor?: string | null } = {}): Promise<RowsPage> {
  const job = assertOwned(await readJob(ctx.deps.store, jobId), caller, jobId);
  const limit = Math.min(Math.max(Math.floor(opts.limit ?? ROWS_PAGE_DEFAULT), 1), ROWS_PAGE_MAX);
  const from = parseRowCursor(opts.cursor);
  const end = Math.min(from + limit, job.totalRows);
  const rows: InputRow[] = [];
  const starts = job.rowChunkStarts;
  for (let n = from < end ? chunkOf(starts, from) : starts.length; n < starts.length && (starts[n] ?? end) < end; n++) {
    const chunk = await loadRowsChunk(ctx, jobId, n);
    const first = Math.max(from, chunk.start);
    const last = Math.min(end, chunk.start + chunk.rows.length);
    for (let i = first; i < last; i++) rows.push({ rowIndex: i, cells: chunk.rows[i - chunk.start] ?? {} });
  }
  return { columns: job.columns, rows, nextCursor: end < job.totalRows ? String(end) : null };
}

/** A rows cursor is a row index (a page's nextCursor, or any row to jump to); empty = row 0. */
function parseRowCursor(cursor: string | null | undefined): number {
  if (cursor === null || cursor === undefined || cursor === "") return 0;
  if (/^\d{1,9}$/.test(cursor)) return Number(cursor);
  throw new ValidationError("The rows cursor is not valid", [
    { path: "cursor", message: "must be a row index (0 or more), such as the nextCursor of an earlier page" },
  ]);
}
