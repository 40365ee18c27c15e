/**
 * Rebuilds the input rows of a job from its `rows` subcollection (Firebase mode downloads). Rows
 * are stored in chunks: each chunk doc holds its first row index and an array of rows. One doc per
 * row (`rowIndex` + `values`) is read too. Returns null when the docs have neither shape.
 */

export interface RowDoc {
  id: string;
  data: Record<string, unknown>;
}

type Row = Record<string, string>;

const isRow = (v: unknown): v is Row => typeof v === "object" && v !== null && !Array.isArray(v);

function firstIndex(doc: RowDoc): number | null {
  for (const key of ["start", "startIndex", "offset", "from", "firstRow"]) {
    const value = doc.data[key];
    if (typeof value === "number" && Number.isInteger(value)) return value;
  }
  return /^\d+$/.test(doc.id) ? Number(doc.id) : null;
}

export function inputsFromRowDocs(docs: readonly RowDoc[]): Row[] | null {
  const out: Row[] = [];
  for (const doc of docs) {
    const rows = doc.data.rows;
    const start = firstIndex(doc);
    if (Array.isArray(rows) && start !== null) {
      rows.forEach((row, i) => {
        if (isRow(row)) out[start + i] = row;
      });
    } else if (typeof doc.data.rowIndex === "number" && isRow(doc.data.values)) {
      out[doc.data.rowIndex] = doc.data.values;
    } else {
      return null;
    }
  }
  return out;
}
