/**
 * What spreadsheets do to CSV files, found from the bytes before they are parsed: the encoding
 * (a UTF-8 or UTF-16 byte order mark, UTF-16 without one, bytes that are not UTF-8 and so most
 * likely Windows-1252) and the delimiter (`;` where the decimal separator is a comma, tabs from
 * "Unicode text" saves). Pure: no `node:` imports, runs in Node and the browser.
 *
 * - `sniffCsv(bytes)`: the encoding, BOM, delimiter and the first problem, with a fix hint.
 * - `CsvBytesDecoder`: bytes → text for the CSV reader, chunk by chunk: strips a BOM, decodes
 *   UTF-16 LE/BE, and throws a `ValidationError` (path `encoding`) for bytes that are not UTF-8,
 *   saying where and how to re-save the file as UTF-8. Windows-1252 is never guessed silently.
 *   It also refuses a header line that is `;`- or tab-separated, instead of reading `a;b;c` as
 *   one column. Only files (bytes) are checked: CSV text a program sends is taken as it is (a
 *   one-column header `a;b` is a valid comma file, and only a file's origin makes it unlikely).
 */
import { ValidationError } from "../errors";

export type CsvEncoding = "utf-8" | "utf-16le" | "utf-16be";
export type CsvDelimiter = "," | ";" | "\t";

export interface CsvProblem {
  code: "not_utf8" | "semicolon_delimited" | "tab_delimited";
  /** What is wrong, for people. */
  message: string;
  /** How to fix it. */
  fix: string;
}

export interface CsvSniff {
  encoding: CsvEncoding;
  /** The file starts with a byte order mark (`bomLength` bytes, dropped when decoding). */
  bom: boolean;
  bomLength: number;
  /** The separator the header line uses (`,` unless `;` or tabs clearly win). */
  delimiter: CsvDelimiter;
  /** The first thing that keeps the file from being read as it is, or null. */
  problem: CsvProblem | null;
}

const UTF8_FIX =
  'Save it as UTF-8: in Excel, File > Save As > "CSV UTF-8 (Comma delimited) (*.csv)"; in LibreOffice Calc, tick "Edit filter settings" when saving and choose "Unicode (UTF-8)"; in Numbers or Google Sheets, export as CSV (always UTF-8).';
const COMMA_FIX =
  'Save it with commas: in Excel, File > Save As > "CSV UTF-8 (Comma delimited) (*.csv)" (where Excel still writes ";", set the Windows list separator to "," under Region > Additional settings); in LibreOffice Calc, choose "," as the field delimiter when saving; or open it in Google Sheets and download it as CSV.';

/** The encoding and BOM from the first bytes (4 are enough for a BOM; a few hundred for BOM-less UTF-16). */
function detectEncoding(bytes: Uint8Array): { encoding: CsvEncoding; bomLength: number } {
  const [a, b, c] = bytes;
  if (a === 0xef && b === 0xbb && c === 0xbf) return { encoding: "utf-8", bomLength: 3 };
  if (a === 0xff && b === 0xfe) return { encoding: "utf-16le", bomLength: 2 };
  if (a === 0xfe && b === 0xff) return { encoding: "utf-16be", bomLength: 2 };
  // UTF-16 without a BOM: mostly-ASCII text has a zero in every other byte.
  const n = Math.min(bytes.length, 512) & ~1;
  if (n >= 4) {
    let evenZeros = 0;
    let oddZeros = 0;
    for (let i = 0; i < n; i += 2) {
      if (bytes[i] === 0) evenZeros++;
      if (bytes[i + 1] === 0) oddZeros++;
    }
    const half = n / 2;
    if (oddZeros > half * 0.6 && evenZeros === 0) return { encoding: "utf-16le", bomLength: 0 };
    if (evenZeros > half * 0.6 && oddZeros === 0) return { encoding: "utf-16be", bomLength: 0 };
  }
  return { encoding: "utf-8", bomLength: 0 };
}

/**
 * Offset of the first byte that is not valid UTF-8, or -1. With `complete` false a sequence cut
 * off at the end is not counted (the next chunk may finish it).
 */
export function firstInvalidUtf8(bytes: Uint8Array, complete = true): number {
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    const lo = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const hi = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined) return complete ? i : -1;
      if (c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}

function lineAt(bytes: Uint8Array, offset: number, linesBefore = 0): number {
  let line = linesBefore + 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

function notUtf8(byte: number, line: number): CsvProblem {
  const hex = byte.toString(16).toUpperCase().padStart(2, "0");
  return {
    code: "not_utf8",
    message: `The file is not UTF-8: byte 0x${hex} on line ${line} is not valid UTF-8. It looks like Windows-1252 (what Excel's plain "CSV (Comma delimited)" saves on Windows), so accented letters and symbols would come out wrong.`,
    fix: UTF8_FIX,
  };
}

/** Separators outside quotes in one line of text. */
function countSeparators(line: string): Record<CsvDelimiter, number> {
  const counts: Record<CsvDelimiter, number> = { ",": 0, ";": 0, "\t": 0 };
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === "," || ch === ";" || ch === "\t")) counts[ch]++;
  }
  return counts;
}

function delimiterOf(headerLine: string): CsvDelimiter {
  const n = countSeparators(headerLine);
  if (n[";"] > n[","] && n[";"] >= n["\t"]) return ";";
  if (n["\t"] > n[","] && n["\t"] > n[";"]) return "\t";
  return ",";
}

function wrongDelimiter(delimiter: CsvDelimiter, header: string): CsvProblem | null {
  if (delimiter === ",") return null;
  const shown = JSON.stringify(header.length > 60 ? `${header.slice(0, 60)}…` : header);
  if (delimiter === ";") {
    return {
      code: "semicolon_delimited",
      message: `The columns are separated by semicolons (;), not commas: the header ${shown} would be read as one column. Excel saves CSV this way where the decimal separator is a comma.`,
      fix: COMMA_FIX,
    };
  }
  return {
    code: "tab_delimited",
    message: `The columns are separated by tabs, not commas (a tab-separated or "Unicode text" file): the header ${shown} would be read as one column.`,
    fix: COMMA_FIX,
  };
}

/** Detects encoding, BOM, delimiter and the first problem from a file's first bytes (or all of it). */
export function sniffCsv(bytes: Uint8Array, opts: { complete?: boolean } = {}): CsvSniff {
  const complete = opts.complete ?? true;
  const { encoding, bomLength } = detectEncoding(bytes);
  const body = bytes.subarray(bomLength);
  let problem: CsvProblem | null = null;
  if (encoding === "utf-8") {
    const bad = firstInvalidUtf8(body, complete);
    if (bad >= 0) problem = notUtf8(body[bad]!, lineAt(body, bad));
  }
  const text = problem ? "" : new TextDecoder(encoding).decode(body.subarray(0, Math.min(body.length, 64 * 1024)));
  const header = text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/, 1)[0] ?? "";
  const delimiter = delimiterOf(header);
  problem ??= wrongDelimiter(delimiter, header);
  return { encoding, bom: bomLength > 0, bomLength, delimiter, problem };
}

/** The ValidationError for a problem: path `encoding`, the message with its fix. */
export function csvProblemError(problem: CsvProblem): ValidationError {
  return new ValidationError(`Invalid CSV: ${problem.message}`, [{ path: "encoding", message: `${problem.message} ${problem.fix}` }]);
}

/**
 * Bytes → text for the CSV reader, in chunks (a file or request stream). The first 4 bytes fix
 * the encoding (BOM, else UTF-16 by its zero bytes, else UTF-8); bytes that are not UTF-8 throw
 * `csvProblemError` with the line they are on. The BOM is dropped.
 */
export class CsvBytesDecoder {
  private decoder: InstanceType<typeof TextDecoder> | null = null;
  private head = new Uint8Array(0);
  private lines = 0;
  /** Text held back until the header line is complete and its delimiter checked (null after). */
  private headText: string | null = "";

  write(chunk: Uint8Array): string {
    if (!this.decoder) {
      const joined = new Uint8Array(this.head.length + chunk.length);
      joined.set(this.head);
      joined.set(chunk, this.head.length);
      // Enough bytes to tell BOM-less UTF-16 from UTF-8 (a short file arrives whole at end()).
      if (joined.length < 64) {
        this.head = joined;
        return "";
      }
      return this.checked(this.start(joined, false), false);
    }
    return this.checked(this.decode(chunk, false), false);
  }

  end(): string {
    const text = this.decoder ? this.decode(new Uint8Array(0), true) : this.start(this.head, true);
    return this.checked(text, true);
  }

  /** Holds text until the first line break (or 64 KiB, or the end), then checks the header's delimiter. */
  private checked(text: string, last: boolean): string {
    if (this.headText === null) return text;
    const held = this.headText + text;
    const lineEnd = held.search(/[\r\n]/);
    if (lineEnd < 0 && !last && held.length < 64 * 1024) {
      this.headText = held;
      return "";
    }
    this.headText = null;
    const header = (lineEnd < 0 ? held : held.slice(0, lineEnd)).replace(/^\uFEFF/, "");
    const wrong = wrongDelimiter(delimiterOf(header), header);
    if (wrong) throw csvProblemError(wrong);
    return held;
  }

  private start(bytes: Uint8Array, last: boolean): string {
    const { encoding, bomLength } = detectEncoding(bytes);
    // ignoreBOM: true keeps the decoder from eating a BOM itself; we drop exactly bomLength bytes.
    // Fatal only for UTF-8: a bad byte there is a wrongly saved file, said so with its fix.
    this.decoder = new TextDecoder(encoding, { fatal: encoding === "utf-8", ignoreBOM: true });
    return this.decode(bytes.subarray(bomLength), last);
  }

  private decode(bytes: Uint8Array, last: boolean): string {
    const decoder = this.decoder!;
    try {
      const text = decoder.decode(bytes, { stream: !last });
      for (const b of bytes) if (b === 0x0a) this.lines++;
      return text;
    } catch {
      const bad = Math.max(firstInvalidUtf8(bytes, last), 0);
      throw csvProblemError(notUtf8(bytes[bad] ?? 0, lineAt(bytes, bad, this.lines)));
    }
  }
}

/** A whole file's bytes → its text, through CsvBytesDecoder (the same checks as a stream). */
export function decodeCsvBytes(bytes: Uint8Array): string {
  const decoder = new CsvBytesDecoder();
  return decoder.write(bytes) + decoder.end();
}
