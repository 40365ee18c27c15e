/**
 * Per-row checks run in the browser before a batch is submitted, so problems show up before any
 * AI call is paid for. Errors block the run (the server would reject the batch); warnings (an
 * empty value in a column the flow reads) let the user run anyway or leave those rows out.
 */

export interface RowCheckLimits {
  maxRows: number;
  maxColumns: number;
  maxCellBytes: number;
}

export interface RowProblem {
  /** 0-based row index; null for problems with the whole table. */
  row: number | null;
  column?: string;
  severity: "error" | "warning";
  message: string;
}

export interface RowCheckReport {
  problems: RowProblem[];
  /** Problems beyond `maxProblems` are counted, not listed. */
  omitted: number;
  errorCount: number;
  warningCount: number;
  /** Rows that have at least one warning (candidates for "leave these rows out"). */
  rowsWithWarnings: Set<number>;
}

export interface RowCheckInput {
  columns: readonly string[];
  rows: readonly Record<string, string>[];
  /** Columns the flow reads (after mapping). */
  required: readonly string[];
  limits: RowCheckLimits;
  maxProblems?: number;
}

/** UTF-8 size without encoding short strings (a UTF-16 unit is at most 3 UTF-8 bytes). */
export function exceedsBytes(value: string, maxBytes: number): number | null {
  if (value.length * 3 <= maxBytes) return null;
  const bytes = new TextEncoder().encode(value).length;
  return bytes > maxBytes ? bytes : null;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function tableProblems(input: RowCheckInput): RowProblem[] {
  const { columns, rows, required, limits } = input;
  const out: RowProblem[] = [];
  if (rows.length === 0) out.push({ row: null, severity: "error", message: "The CSV has no data rows." });
  if (rows.length > limits.maxRows) {
    out.push({ row: null, severity: "error", message: `The CSV has ${rows.length} rows; the limit is ${limits.maxRows}.` });
  }
  if (columns.length > limits.maxColumns) {
    out.push({ row: null, severity: "error", message: `The CSV has ${columns.length} columns; the limit is ${limits.maxColumns}.` });
  }
  for (const column of required) {
    if (!columns.includes(column)) {
      out.push({ row: null, column, severity: "error", message: `No CSV column is mapped to the flow input "${column}".` });
    }
  }
  return out;
}

function rowProblems(input: RowCheckInput, index: number, row: Record<string, string>): RowProblem[] {
  const out: RowProblem[] = [];
  for (const column of input.columns) {
    const value = row[column] ?? "";
    const bytes = exceedsBytes(value, input.limits.maxCellBytes);
    if (bytes !== null) {
      const message = `Row ${index + 1}: "${column}" is ${formatBytes(bytes)}; the limit is ${formatBytes(input.limits.maxCellBytes)}.`;
      out.push({ row: index, column, severity: "error", message });
    }
  }
  for (const column of input.required) {
    if (input.columns.includes(column) && (row[column] ?? "").trim() === "") {
      out.push({ row: index, column, severity: "warning", message: `Row ${index + 1}: "${column}" is empty.` });
    }
  }
  return out;
}

export function checkRows(input: RowCheckInput): RowCheckReport {
  const maxProblems = input.maxProblems ?? 200;
  const report: RowCheckReport = { problems: [], omitted: 0, errorCount: 0, warningCount: 0, rowsWithWarnings: new Set() };
  const add = (problem: RowProblem): void => {
    if (problem.severity === "error") report.errorCount++;
    else report.warningCount++;
    if (problem.severity === "warning" && problem.row !== null) report.rowsWithWarnings.add(problem.row);
    if (report.problems.length < maxProblems) report.problems.push(problem);
    else report.omitted++;
  };
  tableProblems(input).forEach(add);
  input.rows.forEach((row, index) => rowProblems(input, index, row).forEach(add));
  return report;
}

/** The rows to submit: all of them, or without the rows that have warnings. */
export function rowsToSubmit<T>(rows: readonly T[], report: RowCheckReport, skipRowsWithWarnings: boolean): T[] {
  if (!skipRowsWithWarnings || report.rowsWithWarnings.size === 0) return rows.slice();
  return rows.filter((_, index) => !report.rowsWithWarnings.has(index));
}
