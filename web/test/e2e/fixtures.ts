/**
 * Test data built from the shipped example: a 20-row CSV whose first input column has another
 * name (so the test maps it by hand) and one row carrying the offline provider's `[[fail-first]]`
 * marker in a column read by exactly one AI step (so the row fails once and succeeds on retry).
 */
import { toCsv } from "../../../core/src/csv/write";

export interface Example {
  id: string;
  name: string;
  flow: { nodes: Array<{ id: string; type: string; data: Record<string, unknown> }>; edges: Array<{ source: string; target: string }> };
  csv: string;
}

export const FAILING_ROW = 6; // 0-based: the seventh row
export const ROWS = 20;
export const RENAMED_PREFIX = "csv_";

export function inputColumnsOf(example: Example): string[] {
  return [...new Set(example.flow.nodes.filter((n) => n.type === "input").map((n) => String(n.data.column)))];
}

/** An input column referenced by exactly one AI node's prompt (through its input node's id). */
export function markerColumn(example: Example): string {
  const ai = example.flow.nodes.filter((n) => ["text", "image", "video"].includes(n.type));
  for (const input of example.flow.nodes.filter((n) => n.type === "input")) {
    const ref = new RegExp(`\\{\\{\\s*${input.id}\\s*\\}\\}`);
    const readers = ai.filter((n) => ref.test(typeof n.data.prompt === "string" ? n.data.prompt : ""));
    if (readers.length === 1) return String(input.data.column);
  }
  throw new Error(`example ${example.id} has no input column read by exactly one AI node`);
}

export interface CsvOptions {
  rows: number;
  /** Give the first input column another name, so it must be mapped by hand. */
  rename: boolean;
  /** Text appended to the marker column's cell of row i (0-based), or null. */
  markerFor: (i: number) => string | null;
}

export interface CsvFixture {
  csv: string;
  columns: string[];
  rows: Record<string, string>[];
  /** The CSV's name for the flow's first input column (differs when `rename`). */
  renamed: string;
  original: string;
}

export function buildCsv(example: Example, opts: CsvOptions): CsvFixture {
  const inputs = inputColumnsOf(example);
  const original = inputs[0];
  if (!original) throw new Error(`example ${example.id} reads no CSV column`);
  const renamed = opts.rename ? RENAMED_PREFIX + original : original;
  const nameOf = (c: string): string => (c === original ? renamed : c);
  const marker = markerColumn(example);
  const columns = inputs.map(nameOf);
  const rows = Array.from({ length: opts.rows }, (_, i) => {
    const row: Record<string, string> = {};
    for (const c of inputs) row[nameOf(c)] = `${c} value ${i + 1}`;
    const extra = opts.markerFor(i);
    if (extra) row[nameOf(marker)] += ` ${extra}`;
    return row;
  });
  return { csv: toCsv(columns, rows), columns, rows, renamed, original };
}
