/**
 * `POST /api/uploads`: a CSV file as the raw request body (`content-type: text/csv`), parsed as it
 * arrives (CsvStreamParser), so the server never holds the body as one string nor a JSON copy of
 * it. A valid file is kept in memory under an upload id for `POST /api/batches {upload}` (or the
 * estimate) to use; a bad one answers 400 with the row-level details and keeps nothing.
 * Uploads are few and short-lived: the oldest is dropped past `MAX_HELD`, any after `HELD_MS`.
 */
import { CsvBytesDecoder, CsvStreamParser, ValidationError, type BatchLimits } from "@flowcraft/core";
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { BodyTooLargeError } from "./respond";

export interface HeldCsv {
  columns: string[];
  rows: Record<string, string>[];
}

const MAX_HELD = 4;
const HELD_MS = 60 * 60_000;

/** Parses a streamed CSV body; ValidationError details point at `csv.<path>`. */
export async function readCsvBody(req: IncomingMessage, maxBytes: number, limits: BatchLimits): Promise<HeldCsv> {
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw new BodyTooLargeError(maxBytes);
  const rows: Record<string, string>[] = [];
  const parser = new CsvStreamParser({ maxRows: limits.maxRows, maxColumns: limits.maxColumns, maxCellBytes: limits.maxCellBytes }, (row) => rows.push(row));
  // Decodes characters split between network reads; UTF-16 and BOMs handled, non-UTF-8 refused.
  const decoder = new CsvBytesDecoder();
  let size = 0;
  try {
    for await (const chunk of req) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > maxBytes) throw new BodyTooLargeError(maxBytes);
      parser.push(decoder.write(buf));
    }
    parser.push(decoder.end());
    return { columns: parser.end().columns, rows };
  } catch (err) {
    if (err instanceof ValidationError) {
      throw new ValidationError(err.message, (err.details ?? []).map((d) => ({ path: `csv.${d.path}`, message: d.message })));
    }
    throw err;
  }
}

export class CsvUploads {
  private readonly held = new Map<string, HeldCsv & { at: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  put(csv: HeldCsv): string {
    this.expire();
    if (this.held.size >= MAX_HELD) this.held.delete(this.held.keys().next().value as string);
    const id = randomUUID();
    this.held.set(id, { ...csv, at: this.now() });
    return id;
  }

  /** The upload, or a ValidationError that says to upload again. */
  get(id: string): HeldCsv {
    this.expire();
    const held = this.held.get(id);
    if (!held) {
      throw new ValidationError(`No upload ${id}`, [{ path: "upload", message: "unknown or expired upload id; POST the CSV to /api/uploads again" }]);
    }
    return held;
  }

  /** Frees a used upload (after its batch was created). */
  drop(id: string): void {
    this.held.delete(id);
  }

  private expire(): void {
    const oldest = this.now() - HELD_MS;
    for (const [id, h] of this.held) if (h.at < oldest) this.held.delete(id);
  }
}
