/**
 * Mapping CSV columns onto the columns a flow reads (its input nodes' `data.column`). When the
 * names differ, the mapping renames CSV columns before the batch is submitted, so the server only
 * ever sees the flow's own column names.
 */

/** Flow input column → the CSV column that feeds it (null: not chosen yet). */
export type ColumnMapping = Record<string, string | null>;

export interface MappedTable {
  columns: string[];
  rows: Record<string, string>[];
}

/** Lower-case and drop everything but letters and digits: "Product Name" ~ "product_name". */
export function normalizeColumnName(name: string): string {
  return name.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");
}

/** Picks, for each flow input, the CSV column with the same name, else one with a similar name. */
export function suggestMapping(flowInputs: readonly string[], csvColumns: readonly string[]): ColumnMapping {
  const mapping: ColumnMapping = {};
  for (const input of flowInputs) {
    const exact = csvColumns.find((c) => c === input);
    const loose = csvColumns.find((c) => normalizeColumnName(c) === normalizeColumnName(input));
    mapping[input] = exact ?? loose ?? null;
  }
  return mapping;
}

/** Flow inputs that have no CSV column yet. */
export function unmappedInputs(mapping: ColumnMapping, flowInputs: readonly string[]): string[] {
  return flowInputs.filter((input) => !mapping[input]);
}

/** True when applying the mapping changes nothing (every input maps to the column of its name). */
export function isIdentityMapping(mapping: ColumnMapping): boolean {
  return Object.entries(mapping).every(([input, source]) => source === input);
}

/**
 * The column list after renaming, in the CSV's order: a source column is replaced in place by the
 * flow input(s) it feeds; a CSV column whose name is taken by a renamed input is dropped (the
 * mapped one wins); other columns are kept as they are.
 */
export function mappedColumns(mapping: ColumnMapping, csvColumns: readonly string[]): string[] {
  const targets = new Set(Object.keys(mapping).filter((input) => mapping[input]));
  const out: string[] = [];
  for (const column of csvColumns) {
    const fed = Object.keys(mapping).filter((input) => mapping[input] === column);
    if (fed.length > 0) out.push(...fed);
    else if (!targets.has(column)) out.push(column);
  }
  return out;
}

/** Renames (and where one column feeds several inputs, copies) cells according to the mapping. */
export function applyMapping(mapping: ColumnMapping, table: { columns: readonly string[]; rows: readonly Record<string, string>[] }): MappedTable {
  const columns = mappedColumns(mapping, table.columns);
  if (isIdentityMapping(mapping)) return { columns, rows: table.rows.slice() };
  const sourceOf = new Map<string, string>();
  for (const column of columns) sourceOf.set(column, mapping[column] ?? column);
  const rows = table.rows.map((row) => {
    const out: Record<string, string> = {};
    for (const column of columns) out[column] = row[sourceOf.get(column) ?? column] ?? "";
    return out;
  });
  return { columns, rows };
}
