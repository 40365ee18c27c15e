/**
 * The CSV tokenizer: a small hand-written state machine that splits text into records of raw
 * cells. It knows nothing about headers, limits or error paths (read.ts owns those); it reports
 * syntax problems as `CsvSyntaxError` with the line and cell where they happened.
 *
 * Grammar (RFC 4180, read leniently where that loses nothing):
 * - cells are separated by `,`; records end at CRLF, LF or a lone CR;
 * - a cell that starts with `"` is quoted: it may hold commas, line breaks and `""` (one quote)
 *   and must end right after its closing quote (before `,`, a line break or the end of text);
 * - a `"` inside an unquoted cell is kept verbatim;
 * - nothing is trimmed; a line break right before the end of text ends the last record and does
 *   not start an empty one.
 * Line numbers are 1-based and count physical lines, including breaks inside quoted cells.
 */

const QUOTE = 34;
const COMMA = 44;
const CR = 13;
const LF = 10;

export interface RawRecord {
  cells: string[];
  /** Physical line (1-based) where the record starts. */
  line: number;
  /** True when no cell has content and none was quoted: an empty line, or only commas. */
  blank: boolean;
}

export type CsvSyntaxKind = "unterminated_quote" | "text_after_quote";

export class CsvSyntaxError extends Error {
  constructor(
    readonly kind: CsvSyntaxKind,
    /** The record's first line. */
    readonly recordLine: number,
    /** The line the problem is on. */
    readonly line: number,
    /** 0-based index of the cell within its record. */
    readonly cellIndex: number,
  ) {
    super(kind);
    this.name = "CsvSyntaxError";
  }
}

/** Line breaks in `s`: CRLF counts once, lone CR and lone LF count once each. */
function countLineBreaks(s: string): number {
  let count = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === LF) count++;
    else if (c === CR && s.charCodeAt(i + 1) !== LF) count++;
  }
  return count;
}

/**
 * Calls `onRecord` for every record in order. `onRecord` may throw to stop early. Throws
 * `CsvSyntaxError` on malformed quoting.
 */
export function scanCsv(text: string, onRecord: (record: RawRecord) => void): void {
  const scanner = new CsvChunkScanner(onRecord);
  scanner.push(text);
  scanner.end();
}

/** Thrown inside the scanner when a record runs past the text received so far (never escapes it). */
class Incomplete extends Error {}
const INCOMPLETE = new Incomplete("incomplete record");

/**
 * The same tokenizer over text that arrives in pieces (a stream): `push` each piece as it comes,
 * then `end`. Records are reported as soon as they are complete, so memory holds one unfinished
 * record, not the file. A piece may end anywhere, even inside a quoted cell or between CR and LF.
 */
export class CsvChunkScanner {
  private pending = "";
  private line = 1;
  private ended = false;

  constructor(private readonly onRecord: (record: RawRecord) => void) {}

  push(text: string): void {
    if (this.ended) throw new Error("CsvChunkScanner.push after end");
    this.pending = this.pending === "" ? text : this.pending + text;
    this.drain(false);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.drain(true);
  }

  private drain(final: boolean): void {
    const scanner = new Scanner(this.pending, this.line, final);
    let consumed = 0;
    try {
      while (scanner.pos < this.pending.length) {
        const record = scanner.record();
        if (!record) break;
        consumed = scanner.pos;
        this.line = scanner.line;
        this.onRecord(record);
      }
    } finally {
      this.pending = this.pending.slice(consumed);
    }
  }
}

class Scanner {
  pos = 0;
  constructor(
    private readonly text: string,
    public line: number,
    /** False while more text may follow: a record reaching the end of `text` is then incomplete. */
    private readonly final: boolean,
  ) {}

  /** The next record, or null when it is not complete yet (position and line left unchanged). */
  record(): RawRecord | null {
    const start = this.pos;
    const startLine = this.line;
    try {
      return this.read();
    } catch (err) {
      if (err !== INCOMPLETE) throw err;
      this.pos = start;
      this.line = startLine;
      return null;
    }
  }

  private read(): RawRecord {
    const recordLine = this.line;
    const cells: string[] = [];
    let blank = true;
    const { text } = this;
    for (;;) {
      let cell: string;
      if (text.charCodeAt(this.pos) === QUOTE) {
        cell = this.quoted(recordLine, cells.length);
        blank = false;
      } else {
        cell = this.unquoted();
        if (cell !== "") blank = false;
      }
      cells.push(cell);
      if (this.pos >= text.length) break;
      const c = text.charCodeAt(this.pos);
      this.pos++;
      if (c === COMMA) continue;
      // A line break ends the record; CRLF is one break (a CR last in the text may be half of one).
      if (c === CR && this.pos >= text.length && !this.final) throw INCOMPLETE;
      if (c === CR && text.charCodeAt(this.pos) === LF) this.pos++;
      this.line++;
      break;
    }
    return { cells, line: recordLine, blank };
  }

  private unquoted(): string {
    const { text } = this;
    const start = this.pos;
    let end = start;
    while (end < text.length) {
      const c = text.charCodeAt(end);
      if (c === COMMA || c === LF || c === CR) break;
      end++;
    }
    if (end >= text.length && !this.final) throw INCOMPLETE;
    this.pos = end;
    return text.slice(start, end);
  }

  /** Reads a quoted cell starting at the opening quote; leaves `pos` after the closing quote. */
  private quoted(recordLine: number, cellIndex: number): string {
    const { text } = this;
    let value = "";
    let from = this.pos + 1;
    for (;;) {
      const q = text.indexOf('"', from);
      if (q === -1 && !this.final) throw INCOMPLETE;
      if (q === -1) throw new CsvSyntaxError("unterminated_quote", recordLine, this.line, cellIndex);
      // A quote last in the text may be the first half of "".
      if (q + 1 >= text.length && !this.final) throw INCOMPLETE;
      const chunk = text.slice(from, q);
      this.line += countLineBreaks(chunk);
      value += chunk;
      if (text.charCodeAt(q + 1) === QUOTE) {
        value += '"';
        from = q + 2;
        continue;
      }
      this.pos = q + 1;
      break;
    }
    if (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (c !== COMMA && c !== LF && c !== CR) {
        throw new CsvSyntaxError("text_after_quote", recordLine, this.line, cellIndex);
      }
    }
    return value;
  }
}
