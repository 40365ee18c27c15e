/**
 * Large batches go as a CSV file instead of rows in the request body: the local API's
 * `POST /api/uploads`, or Cloud Storage (`uploads/{uid}/…`) for Firebase, whose callables take at
 * most 32 MiB. The rows sent are the ones the dialog checked and mapped, written back as CSV
 * (RFC 4180 quoting, no formula escaping: this is input, not an export), in parts so no single
 * string holds the file. The server parses it as a stream with the same checks.
 */
import { quoteCsv } from "@core/csv/write";

/** Rows above this many (or this much JSON) are uploaded as a file. */
export const UPLOAD_ROWS_ABOVE = 5_000;
export const UPLOAD_BYTES_ABOVE = 8 * 1024 * 1024;

export function shouldUpload(rows: readonly Record<string, string>[]): boolean {
  if (rows.length > UPLOAD_ROWS_ABOVE) return true;
  let bytes = 0;
  for (const row of rows) {
    for (const v of Object.values(row)) bytes += v.length + 8;
    if (bytes > UPLOAD_BYTES_ABOVE) return true;
  }
  return false;
}

/** The rows as a CSV Blob, header first; an all-empty row keeps a quoted "" so it is not skipped. */
export function rowsCsvBlob(columns: readonly string[], rows: readonly Record<string, string>[]): Blob {
  const parts: string[] = [`${columns.map(quoteCsv).join(",")}\r\n`];
  let piece = "";
  for (const row of rows) {
    const cells = columns.map((c) => quoteCsv(row[c] ?? ""));
    if (!cells.some((c) => c !== "")) cells[0] = '""';
    piece += `${cells.join(",")}\r\n`;
    if (piece.length > 1 << 16) {
      parts.push(piece);
      piece = "";
    }
  }
  parts.push(piece);
  return new Blob(parts, { type: "text/csv" });
}
