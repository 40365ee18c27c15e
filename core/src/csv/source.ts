/**
 * CSV read as a stream of rows: the text arrives in pieces (strings, or bytes decoded by
 * `CsvBytesDecoder`: BOMs and UTF-16 handled, bytes that are not UTF-8 refused, characters split
 * between pieces kept whole), rows come out as their records complete, so
 * memory holds one piece's rows, never the file. A problem found anywhere is thrown when the read
 * ends (or at once for broken quoting): a caller that must write nothing on bad input reads the
 * file through once to check it, then again to use it (`createJobFromRows` does).
 */
import { ValidationError } from "../errors";
import { CsvBytesDecoder } from "./encoding";
import { CsvStreamParser, type CsvStreamSummary, type ParseCsvOptions } from "./read";

/** A fresh read of a file's text from its first byte (called once per pass). */
export type OpenText = () => AsyncIterable<string | Uint8Array>;

/** The rows of one read, in order; `onEnd` gets the header and count once the whole read is valid. */
export async function* csvRows(
  pieces: AsyncIterable<string | Uint8Array>,
  opts: ParseCsvOptions,
  onEnd?: (summary: CsvStreamSummary) => void,
): AsyncGenerator<Record<string, string>> {
  let ready: Record<string, string>[] = [];
  const parser = new CsvStreamParser(opts, (row) => ready.push(row));
  const decoder = new CsvBytesDecoder();
  const take = (): Record<string, string>[] => {
    const out = ready;
    ready = [];
    return out;
  };
  for await (const piece of pieces) {
    parser.push(typeof piece === "string" ? piece : decoder.write(piece));
    yield* take();
  }
  parser.push(decoder.end());
  const summary = parser.end();
  yield* take();
  onEnd?.(summary);
}

/** Reads the whole file once for its checks: the header and row count, or the ValidationError. */
export async function scanCsv(open: OpenText, opts: ParseCsvOptions): Promise<CsvStreamSummary> {
  let summary: CsvStreamSummary | null = null;
  for await (const _row of csvRows(open(), opts, (s) => (summary = s))) {
    // counted by the parser
  }
  if (!summary) throw new Error("CSV read ended without a summary");
  return summary;
}

/** Re-readable rows of a CSV (see `RowSource` in batch/create-streamed.ts). */
export function csvRowSource(open: OpenText, opts: ParseCsvOptions): { open(): AsyncIterable<Record<string, string>> } {
  return { open: () => csvRows(open(), opts) };
}

/**
 * Up to `size` rows drawn uniformly from a stream of unknown length (reservoir sampling, seeded:
 * the same rows and seed give the same sample), in input order, and the number of rows read.
 */
export async function reservoirSample<T>(items: AsyncIterable<T>, size: number, seed: number): Promise<{ sample: T[]; count: number }> {
  let state = seed >>> 0 || 1;
  const random = (): number => {
    // xorshift32: small, seeded, good enough to pick rows
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
  const kept: { i: number; item: T }[] = [];
  let count = 0;
  for await (const item of items) {
    if (kept.length < size) kept.push({ i: count, item });
    else {
      const j = Math.floor(random() * (count + 1));
      if (j < size) kept[j] = { i: count, item };
    }
    count += 1;
  }
  return { sample: kept.sort((a, b) => a.i - b.i).map((k) => k.item), count };
}

/** A CSV ValidationError with its detail paths under `field` (`rows[3]` → `csv.rows[3]`); others as they are. */
export function csvErrorUnder(field: string, err: unknown): unknown {
  if (!(err instanceof ValidationError)) return err;
  return new ValidationError(
    err.message,
    (err.details ?? []).map((d) => ({ path: `${field}.${d.path}`, message: d.message })),
  );
}
