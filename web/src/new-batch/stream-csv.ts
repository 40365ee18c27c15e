/**
 * Reads a CSV file as a stream (`Blob.stream()` through core's `csvRows`, the stream parser the
 * servers use), so the page can show the first rows at once and a progress while the whole file is
 * read and checked. The rows are still kept: the dialog maps, checks and sends them.
 */
import { csvRows } from "@core/csv/source";
import type { ParseCsvOptions } from "@core/csv/read";

export interface CsvHead {
  columns: string[];
  rows: Record<string, string>[];
}

export interface CsvReadProgress {
  bytes: number;
  totalBytes: number;
  rows: number;
}

export interface StreamCsvOptions {
  onHead?: (head: CsvHead) => void;
  onProgress?: (progress: CsvReadProgress) => void;
  /** Rows in the head (default 20). */
  headRows?: number;
  /** Bytes read between two progress reports (default 256 KiB). */
  progressEvery?: number;
}

/** A Blob's bytes in pieces, counting what has been read. */
async function* blobPieces(blob: Blob, onRead: (bytes: number) => void): AsyncGenerator<Uint8Array> {
  const reader = blob.stream().getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
      onRead(value.byteLength);
    }
  } finally {
    reader.releaseLock();
  }
}

/** The whole table, reporting its head (once `headRows` rows are in) and progress on the way. */
export async function streamCsv(blob: Blob, limits: ParseCsvOptions, opts: StreamCsvOptions = {}): Promise<CsvHead> {
  const headRows = opts.headRows ?? 20;
  const every = opts.progressEvery ?? 1 << 18;
  const rows: Record<string, string>[] = [];
  let bytes = 0;
  let reported = 0;
  const onRead = (n: number): void => {
    bytes += n;
    if (bytes - reported < every) return;
    reported = bytes;
    opts.onProgress?.({ bytes, totalBytes: blob.size, rows: rows.length });
  };
  let columns: string[] = [];
  for await (const row of csvRows(blobPieces(blob, onRead), limits, (summary) => (columns = summary.columns))) {
    rows.push(row);
    if (rows.length === headRows) opts.onHead?.({ columns: Object.keys(row), rows: rows.slice() });
  }
  opts.onProgress?.({ bytes, totalBytes: blob.size, rows: rows.length });
  return { columns, rows };
}
