/**
 * `parseCsv`: CSV text → `{ columns, rows }` for a batch, or a `ValidationError` that says where
 * and how to fix it. Nothing partial is ever returned. Runs in Node and in the browser (no
 * `node:` imports, no CSV library).
 *
 * Rules:
 * - a leading UTF-8 BOM is dropped; the first non-empty line is the header;
 * - cells are kept verbatim (never trimmed); empty cells are "";
 * - empty lines are skipped, and so are lines holding only commas (spreadsheets export those for
 *   formatted but empty rows); a quoted empty cell (`""`) makes the line a real row;
 * - a row with fewer cells than the header is padded with ""; a row with more is an error;
 * - header names must be non-blank, unique, at most `MAX_COLUMN_NAME_BYTES`, and not reserved
 *   (`__proto__`, `constructor`, `prototype`, `__name__`: see json-limits.ts).
 * Limits (default `DEFAULT_CSV_LIMITS` in limits.ts, which a batch's `DEFAULT_LIMITS` takes):
 * `maxRows` data rows, `maxColumns` header columns, `maxCellBytes` UTF-8 bytes in any cell, header
 * included.
 *
 * Error detail paths: `header`, `columns[i]` (0-based header position), `rows[i]` or
 * `rows[i].<column>` (0-based index into the returned rows, the same index a batch gives the row).
 * Messages count from 1 for people: "Row 13 (line 14)", "Column 4".
 * Row problems are collected (the first 20, and a count of all of them, which reads the whole file)
 * before throwing, so one upload shows several at once and says how many there are.
 */
import { type ErrorDetail, ValidationError } from "../errors";
import { DEFAULT_CSV_LIMITS, MAX_COLUMN_NAME_BYTES } from "./limits";
import { reservedKeyProblem } from "../json-limits";
import { CsvChunkScanner, CsvSyntaxError, type RawRecord } from "./scan";
import { exceedsUtf8Bytes, utf8ByteLength } from "./utf8";

export interface ParseCsvOptions {
  maxRows?: number;
  maxColumns?: number;
  /** Largest cell in UTF-8 bytes. */
  maxCellBytes?: number;
}

export interface ParsedCsv {
  columns: string[];
  rows: Record<string, string>[];
}

const MAX_DETAILS = 20;

export function parseCsv(text: string, opts: ParseCsvOptions = {}): ParsedCsv {
  const rows: Record<string, string>[] = [];
  const parser = new CsvStreamParser(opts, (row) => rows.push(row));
  parser.push(text);
  return { columns: parser.end().columns, rows };
}

export interface CsvStreamSummary {
  columns: string[];
  rowCount: number;
}

/**
 * `parseCsv` over text that arrives in pieces (a file or request stream, decoded to strings):
 * `push` each piece, then `end`. Each row goes to `onRow` (with its batch index) as soon as its
 * record is complete, so memory holds what the caller keeps, not the file. The checks and error
 * details are parseCsv's; a caller that must write nothing on bad input keeps (or stages) the rows
 * until `end` returns, since a problem may come at any row.
 */
export class CsvStreamParser {
  private readonly reader: CsvReader;
  private readonly scanner: CsvChunkScanner;
  private started = false;

  constructor(opts: ParseCsvOptions, onRow: (row: Record<string, string>, index: number) => void) {
    this.reader = new CsvReader(
      {
        maxRows: opts.maxRows ?? DEFAULT_CSV_LIMITS.maxRows,
        maxColumns: opts.maxColumns ?? DEFAULT_CSV_LIMITS.maxColumns,
        maxCellBytes: opts.maxCellBytes ?? DEFAULT_CSV_LIMITS.maxCellBytes,
      },
      onRow,
    );
    this.scanner = new CsvChunkScanner((record) => this.reader.add(record));
  }

  push(text: string): void {
    if (text === "") return;
    const body = !this.started && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    this.started = true;
    this.guard(() => this.scanner.push(body));
  }

  /** Throws the `ValidationError` if any problem was found; otherwise the header and row count. */
  end(): CsvStreamSummary {
    this.guard(() => this.scanner.end());
    return this.reader.finish();
  }

  private guard(scan: () => void): void {
    try {
      scan();
    } catch (err) {
      if (err instanceof CsvSyntaxError) this.reader.fail(this.reader.syntaxDetail(err));
      throw err;
    }
  }
}

class CsvReader {
  private columns: string[] | undefined;
  private rowCount = 0;
  private readonly problems: ErrorDetail[] = [];
  /** Problems found past MAX_DETAILS: counted, not kept. */
  private uncounted = 0;

  constructor(
    private readonly limits: Required<ParseCsvOptions>,
    private readonly onRow: (row: Record<string, string>, index: number) => void,
  ) {}

  add(record: RawRecord): void {
    if (!this.columns) {
      // Only a truly empty line is skipped before the header; `,,` is a header with blank names.
      if (record.blank && record.cells.length === 1) return;
      this.columns = this.header(record.cells);
      return;
    }
    if (record.blank) return;
    this.row(this.columns, record);
  }

  finish(): CsvStreamSummary {
    if (!this.columns) {
      this.fail({ path: "header", message: "The file has no header line; its first line must name the columns, separated by commas" });
    }
    if (this.problems.length > 0) this.fail();
    return { columns: this.columns, rowCount: this.rowCount };
  }

  /** Throws every collected problem, plus `last` if given; the message counts the uncollected ones too. */
  fail(last?: ErrorDetail): never {
    const details = last ? [...this.problems, last] : this.problems;
    const first = details[0]?.message ?? "Invalid CSV";
    const others = details.length - 1 + this.uncounted;
    const listed = this.uncounted > 0 ? `; the first ${details.length} are listed` : "";
    const more = others > 0 ? ` (and ${others} more problem${others > 1 ? "s" : ""}${listed})` : "";
    throw new ValidationError(`Invalid CSV: ${first}${more}`, details);
  }

  syntaxDetail(err: CsvSyntaxError): ErrorDetail {
    const where = this.columns ? `${rowLabel(this.rowCount, err.recordLine)}: ` : `Header (line ${err.recordLine}): `;
    const path = this.columns ? `rows[${this.rowCount}]` : "header";
    const cell = this.cellLabel(err.cellIndex);
    const how = `write a quote inside a quoted cell as ""`;
    if (err.kind === "unterminated_quote") {
      return { path, message: `${where}the quote that opens ${cell} is never closed; end the cell with " and ${how}` };
    }
    return {
      path,
      message: `${where}${cell} has text after its closing quote on line ${err.line}; a quoted cell must end at its closing quote (${how})`,
    };
  }

  private cellLabel(index: number): string {
    const name = this.columns?.[index];
    return name === undefined ? `cell ${index + 1}` : `column ${index + 1} ("${name}")`;
  }

  private header(cells: string[]): string[] {
    const { maxColumns, maxCellBytes } = this.limits;
    if (cells.length > maxColumns) {
      this.fail({
        path: `columns[${maxColumns}]`,
        message: `The header has ${cells.length} columns but at most ${maxColumns} are allowed (maxColumns); remove the columns the flow does not use`,
      });
    }
    const seen = new Map<string, number>();
    cells.forEach((name, i) => {
      const problem = headerProblem(name, seen.get(name), maxCellBytes);
      if (problem) this.problems.push({ path: `columns[${i}]`, message: `Column ${i + 1} ${problem}` });
      if (!seen.has(name)) seen.set(name, i);
    });
    if (this.problems.length > 0) this.fail();
    return cells;
  }

  private row(columns: string[], record: RawRecord): void {
    const index = this.rowCount;
    const { cells, line } = record;
    if (index >= this.limits.maxRows) {
      const max = this.limits.maxRows;
      this.fail({
        path: `rows[${index}]`,
        message: `The CSV has more than ${count(max, "row")} (maxRows); split it into files of at most ${count(max, "row")} each`,
      });
    }
    if (cells.length > columns.length) {
      this.note({
        path: `rows[${index}]`,
        message: `${rowLabel(index, line)} has ${count(cells.length, "cell")} but the header has ${count(columns.length, "column")}; quote cells that contain commas, or add the missing column names`,
      });
    }
    const row: Record<string, string> = {};
    for (let c = 0; c < columns.length; c++) {
      const column = columns[c]!;
      const value = cells[c] ?? "";
      if (exceedsUtf8Bytes(value, this.limits.maxCellBytes)) this.note(this.cellTooLarge(index, line, column, value));
      row[column] = value;
    }
    this.rowCount += 1;
    // A file already known bad keeps being checked (for more details) but hands out no rows.
    if (this.problems.length === 0) this.onRow(row, index);
  }

  private cellTooLarge(index: number, line: number, column: string, value: string): ErrorDetail {
    const max = this.limits.maxCellBytes;
    return {
      path: `rows[${index}].${column}`,
      message: `${rowLabel(index, line)}, column "${column}" is ${utf8ByteLength(value)} bytes but a cell may hold at most ${max} UTF-8 bytes (maxCellBytes); shorten the text`,
    };
  }

  /** Collects a row problem; past MAX_DETAILS only counts it (the whole file is still read, for the total). */
  private note(detail: ErrorDetail): void {
    if (this.problems.length < MAX_DETAILS) this.problems.push(detail);
    else this.uncounted += 1;
  }
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function rowLabel(index: number, line: number): string {
  return `Row ${index + 1} (line ${line})`;
}

/** Why a header name is unusable, or undefined when it is fine. */
function headerProblem(name: string, firstSeenAt: number | undefined, maxCellBytes: number): string | undefined {
  if (name === "") return "has no name; every column needs a unique, non-empty name in the first line";
  if (name.trim() === "") return `has a blank name (${JSON.stringify(name)}); every column needs a unique, non-empty name`;
  if (reservedKeyProblem(name)) return `is named ${JSON.stringify(name)}, which is reserved; rename the column`;
  if (firstSeenAt !== undefined) {
    return `("${name}") repeats the name of column ${firstSeenAt + 1}; column names must be unique`;
  }
  const max = Math.min(maxCellBytes, MAX_COLUMN_NAME_BYTES);
  if (exceedsUtf8Bytes(name, max)) return `has a name longer than ${max} UTF-8 bytes${max === maxCellBytes ? " (maxCellBytes)" : ""}; shorten it`;
  return undefined;
}
