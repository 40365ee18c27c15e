/**
 * CSV and JSON Lines writers for exports. Output is RFC 4180 text (CRLF after every record,
 * including the last), to be written as UTF-8 by the caller. No BOM by default; prepend `csvBom`
 * when a file is meant for Excel, which otherwise guesses a legacy code page for non-ASCII text.
 *
 * Cell formatting (`csvCell`):
 * - strings are kept, except that one that could start a formula gets a leading `'`, so
 *   spreadsheets show it as text instead of running it (OWASP CSV injection guidance: prefix
 *   cells beginning with `=`, `+`, `-`, `@`, tab or CR with a single quote). Spreadsheets skip
 *   leading spaces, zero-width characters and a BOM before a formula, and some accept the
 *   full-width signs `＝＋－＠`, so the first character that counts is the first one after
 *   any of those; a cell starting with tab, CR or LF is escaped whatever follows. This is
 *   one-way: reading the file back keeps the `'`. Strings that look like signed numbers (`-5`)
 *   are escaped too: a spreadsheet would run `-5+A1`, and telling the two apart is the kind of
 *   guess an attacker exploits;
 * - finite numbers and bigints are written as numbers (`-5` stays `-5`, unescaped); NaN and
 *   ±Infinity become empty; booleans are `true`/`false`; null and undefined are empty;
 * - Dates are ISO 8601; other objects and arrays are JSON text (then escaped like strings);
 * - a cell is quoted when it holds `,`, `"`, CR or LF (quotes doubled), or starts with a BOM.
 * A record whose cells are all empty is written as `""` + commas, so readers that skip empty lines
 * (ours included) keep the row.
 */

/** Prepend to a CSV file meant for Excel so it reads the text as UTF-8. */
export const csvBom = "\uFEFF";

/**
 * A formula sign (ASCII or full-width), after any run of characters a spreadsheet skips: white
 * space (Unicode `\s`, which includes NBSP, U+3000 and the BOM) and zero-width or invisible
 * format characters (U+180E, U+200B–U+200F, U+2060–U+2064, U+206A–U+206F). Or a leading tab,
 * CR or LF (OWASP lists tab and CR; LF is treated alike).
 */
const FORMULA_START = /^(?:[\s\u180E\u200B-\u200F\u2060-\u2064\u206A-\u206F]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]|[\t\r\n])/;
const NEEDS_QUOTES = /[",\r\n]|^\uFEFF/;

/** The one formula-escape rule (see the module comment): a leading `'` when a cell could start a formula. */
export function escapeFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** Quotes a cell's text when RFC 4180 requires it. */
export function quoteCsv(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The text of one value before quoting (formula escape applied to strings). */
export function cellText(value: unknown): string {
  switch (typeof value) {
    case "string":
      return escapeFormula(value);
    case "number":
      return Number.isFinite(value) ? String(value) : "";
    case "bigint":
    case "boolean":
      return String(value);
    case "undefined":
    case "function":
    case "symbol":
      return "";
    case "object":
      if (value === null) return "";
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? "" : value.toISOString();
      return escapeFormula(jsonText(value));
  }
}

function jsonText(value: object): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) ?? "";
  } catch {
    // A cycle: export a marker rather than failing the whole file.
    return "[unserializable]";
  }
}

/** One formatted, quoted CSV cell. */
export function csvCell(value: unknown): string {
  return quoteCsv(cellText(value));
}

/** One CSV record with its CRLF terminator, for streaming exports line by line. */
export function csvLine(values: readonly unknown[]): string {
  const cells: string[] = values.map(csvCell);
  if (cells.length > 0 && !cells.some((c) => c !== "")) cells[0] = '""';
  return `${cells.join(",")}\r\n`;
}

/** A whole CSV: header line, then one line per row with values taken by column name. */
export function toCsv(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const lines = [csvLine(columns)];
  for (const row of rows) lines.push(csvLine(columns.map((c) => (Object.hasOwn(row, c) ? row[c] : undefined))));
  return lines.join("");
}

/** One JSON Lines record with its LF terminator. */
export function jsonlLine(row: Record<string, unknown>): string {
  return `${JSON.stringify(row)}\n`;
}

/** JSON Lines: one JSON object per line, LF-terminated. Values are not formula-escaped. */
export function toJsonl(rows: readonly Record<string, unknown>[]): string {
  return rows.map(jsonlLine).join("");
}
