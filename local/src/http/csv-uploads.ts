/**
 * `POST /api/uploads`: a CSV file as the raw request body (`content-type: text/csv`), checked as
 * it arrives (CsvStreamParser) and written to a file under the data directory (`uploads/`), so
 * the server holds neither the body nor its rows: memory is one network read. A valid file is
 * kept under an upload id for `POST /api/batches {upload}` (created from the file by
 * createJobFromRows, reading it as a stream) or the estimate (a sample of it); a bad one answers
 * 400 with the row-level details and nothing is kept. Uploads are few and short-lived: the oldest
 * is dropped past `MAX_HELD`, any after `HELD_MS`, and the folder is emptied at start.
 */
import { CsvBytesDecoder, CsvStreamParser, ValidationError, csvErrorUnder, csvRowSource, type BatchLimits, type RowSource } from "@flowcraft/core";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import fs from "node:fs";
import type { IncomingMessage } from "node:http";
import path from "node:path";
import { BodyTooLargeError } from "./respond";

export interface HeldCsv {
  columns: string[];
  rowCount: number;
  /** The uploaded file, as received. */
  file: string;
}

const MAX_HELD = 4;
const HELD_MS = 60 * 60_000;

/** Points a CSV's error details at the `csv` field, keeping the row/column the reader named. */
export const underCsv = (err: unknown): unknown => csvErrorUnder("csv", err);

/** Checks a streamed CSV body while writing it to `file`; removes the file on any failure. */
export async function readCsvBody(req: IncomingMessage, o: { maxBytes: number; limits: BatchLimits; file: string }): Promise<HeldCsv> {
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (Number.isFinite(declared) && declared > o.maxBytes) throw new BodyTooLargeError(o.maxBytes);
  const parser = new CsvStreamParser(parseOptions(o.limits), () => undefined);
  // Decodes characters split between network reads; UTF-16 and BOMs handled, non-UTF-8 refused.
  const decoder = new CsvBytesDecoder();
  const out = fs.createWriteStream(o.file, { flags: "wx" });
  // A failed file write (disk full, the file taken) fails this upload, never the process: without a
  // listener the stream's 'error' would be an uncaught exception between two awaits.
  let failure = null as Error | null;
  out.on("error", (err) => (failure ??= err));
  let size = 0;
  try {
    for await (const chunk of req) {
      if (failure) throw failure;
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > o.maxBytes) throw new BodyTooLargeError(o.maxBytes);
      parser.push(decoder.write(buf));
      if (!out.write(buf)) await once(out, "drain");
    }
    parser.push(decoder.end());
    const { columns, rowCount } = parser.end();
    out.end();
    await once(out, "finish");
    return { columns, rowCount, file: o.file };
  } catch (err) {
    out.destroy();
    fs.rmSync(o.file, { force: true });
    throw underCsv(err);
  }
}

const parseOptions = (limits: BatchLimits): { maxRows: number; maxColumns: number; maxCellBytes: number } => ({
  maxRows: limits.maxRows,
  maxColumns: limits.maxColumns,
  maxCellBytes: limits.maxCellBytes,
});

/** The rows of a held upload, read from its file as a stream each time (64 KiB reads). */
export function uploadRows(held: HeldCsv, limits: BatchLimits): RowSource {
  return csvRowSource(() => fs.createReadStream(held.file, { highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>, parseOptions(limits));
}

export class CsvUploads {
  private readonly held = new Map<string, HeldCsv & { at: number }>();

  /** `dir` holds the files; what an earlier process left there is removed. */
  constructor(
    private readonly dir: string,
    private readonly now: () => number = Date.now,
  ) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
  }

  /** Receives one upload into a new file; keeps it under a new id when valid. */
  async receive(req: IncomingMessage, maxBytes: number, limits: BatchLimits): Promise<{ id: string; csv: HeldCsv }> {
    const id = randomUUID();
    const csv = await readCsvBody(req, { maxBytes, limits, file: path.join(this.dir, `${id}.csv`) });
    this.expire();
    if (this.held.size >= MAX_HELD) this.drop(this.held.keys().next().value as string);
    this.held.set(id, { ...csv, at: this.now() });
    return { id, csv };
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

  /** Frees a used upload (after its batch was created) and its file. */
  drop(id: string): void {
    const held = this.held.get(id);
    this.held.delete(id);
    if (held) fs.rmSync(held.file, { force: true });
  }

  private expire(): void {
    const oldest = this.now() - HELD_MS;
    for (const [id, h] of this.held) if (h.at < oldest) this.drop(id);
  }
}
