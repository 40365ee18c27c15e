/**
 * Translates store queries (port `Query`) into SQL over the `documents` table using json_type /
 * json_extract. Values compare within their type only, ranked like Firestore orders mixed types:
 * null < booleans < numbers < strings < arrays < objects. A document without the filtered or
 * ordered field never matches. Field paths are inlined into the SQL text (so statements can be
 * cached and SQLite can use expression indexes); values are always bound parameters.
 */
import type { DocData, Query, Where } from "@flowcraft/core";

type SqlValue = string | number | null;

export interface SqlFragment {
  sql: string;
  params: SqlValue[];
}

/** `$."a"."b"` as an SQL string literal. */
export function jsonPath(field: string): string {
  const segments = field.split(".");
  if (segments.some((s) => s.length === 0 || s.includes('"'))) throw new Error(`unsupported field path: ${field}`);
  const p = "$" + segments.map((s) => `."${s}"`).join("");
  return `'${p.replace(/'/g, "''")}'`;
}

export const rankExpr = (p: string): string =>
  `(CASE json_type(data, ${p}) WHEN 'null' THEN 0 WHEN 'false' THEN 1 WHEN 'true' THEN 1 ` +
  `WHEN 'integer' THEN 2 WHEN 'real' THEN 2 WHEN 'text' THEN 3 WHEN 'array' THEN 4 WHEN 'object' THEN 5 END)`;
export const valueExpr = (p: string): string => `json_extract(data, ${p})`;

/**
 * The field with an expression index (open-db.ts): results are addressed by row index, so export,
 * paging and retry read a range of this index instead of evaluating every document of the job.
 */
export const INDEXED_FIELD = "rowIndex";

/** The index's key expressions, textually identical to what selectSql emits so SQLite matches them. */
export function indexedFieldExprs(): string {
  const p = jsonPath(INDEXED_FIELD);
  return `${rankExpr(p)}, ${valueExpr(p)}`;
}

/** The type rank and the SQL value a JS value compares as. */
export function rankOf(v: unknown): { rank: number; value: SqlValue } {
  if (v === null || v === undefined) return { rank: 0, value: null };
  if (typeof v === "boolean") return { rank: 1, value: v ? 1 : 0 };
  if (typeof v === "number") return { rank: 2, value: v };
  if (typeof v === "string") return { rank: 3, value: v };
  if (Array.isArray(v)) return { rank: 4, value: JSON.stringify(v) };
  return { rank: 5, value: JSON.stringify(v) };
}

function equals(p: string, v: unknown): SqlFragment {
  const { rank, value } = rankOf(v);
  if (rank === 0) return { sql: `${rankExpr(p)} = 0`, params: [] };
  return { sql: `(${rankExpr(p)} = ? AND ${valueExpr(p)} = ?)`, params: [rank, value] };
}

function compare(p: string, op: "<" | "<=" | ">" | ">=", v: unknown): SqlFragment {
  const { rank, value } = rankOf(v);
  if (rank === 0) return op === "<=" || op === ">=" ? equals(p, null) : { sql: "0", params: [] };
  return { sql: `(${rankExpr(p)} = ? AND ${valueExpr(p)} ${op} ?)`, params: [rank, value] };
}

function whereFragment(w: Where): SqlFragment {
  const p = jsonPath(w.field);
  switch (w.op) {
    case "==":
      return equals(p, w.value);
    case "!=": {
      const eq = equals(p, w.value);
      // Firestore: the field exists, is not null, and differs.
      return { sql: `(${rankExpr(p)} > 0 AND NOT ${eq.sql})`, params: eq.params };
    }
    case "<":
    case "<=":
    case ">":
    case ">=":
      return compare(p, w.op, w.value);
    case "in": {
      const values = Array.isArray(w.value) ? (w.value as unknown[]) : [];
      if (values.length === 0) return { sql: "0", params: [] };
      const parts = values.map((v) => equals(p, v));
      return { sql: `(${parts.map((x) => x.sql).join(" OR ")})`, params: parts.flatMap((x) => x.params) };
    }
  }
}

function fieldValue(data: DocData, field: string): unknown {
  let cur: unknown = data;
  for (const s of field.split(".")) {
    if (typeof cur !== "object" || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[s];
  }
  return cur;
}

const INEQUALITY = new Set(["!=", "<", "<=", ">", ">="]);

/** The effective order: the orderBy field, else the first inequality field, else none (by id). */
export function orderField(q: Query): string | null {
  if (q.orderBy) return q.orderBy.field;
  return q.where?.find((w) => INEQUALITY.has(w.op))?.field ?? null;
}

/** True when every filter value is a scalar, i.e. the SQL translation is exact. */
export function isSqlExact(q: Query): boolean {
  const scalar = (v: unknown): boolean => v === null || ["string", "number", "boolean"].includes(typeof v);
  return (q.where ?? []).every((w) => (w.op === "in" ? (w.value as unknown[]).every(scalar) : scalar(w.value)));
}

/** Keyset condition for `startAfter`: strictly after the cursor doc in the query's order. */
function cursorFragment(q: Query): SqlFragment | null {
  const after = q.startAfter;
  if (!after) return null;
  const desc = q.orderBy?.direction === "desc";
  const gt = desc ? "<" : ">";
  const field = orderField(q);
  if (!field) return { sql: `id ${gt} ?`, params: [after.id] };
  const p = jsonPath(field);
  const { rank, value } = rankOf(fieldValue(after.data, field));
  const r = rankExpr(p);
  if (value === null) {
    return { sql: `(${r} ${gt} ? OR (${r} = ? AND id ${gt} ?))`, params: [rank, rank, after.id] };
  }
  const v = valueExpr(p);
  return {
    sql: `(${r} ${gt} ? OR (${r} = ? AND (${v} ${gt} ? OR (${v} = ? AND id ${gt} ?))))`,
    params: [rank, rank, value, value, after.id],
  };
}

/** WHERE clause (always starting with the collection) shared by select and count. */
export function whereClause(collection: string, where: Where[] | undefined, q?: Query): SqlFragment {
  const parts: SqlFragment[] = [{ sql: "parent = ?", params: [collection] }];
  for (const w of where ?? []) parts.push(whereFragment(w));
  const field = q ? orderField(q) : null;
  if (field) parts.push({ sql: `${rankExpr(jsonPath(field))} IS NOT NULL`, params: [] });
  const cursor = q ? cursorFragment(q) : null;
  if (cursor) parts.push(cursor);
  return { sql: parts.map((x) => x.sql).join(" AND "), params: parts.flatMap((x) => x.params) };
}

export function selectSql(collection: string, q: Query = {}): SqlFragment {
  const where = whereClause(collection, q.where, q);
  const dir = q.orderBy?.direction === "desc" ? "DESC" : "ASC";
  let order = `id ${dir}`;
  const field = orderField(q);
  if (field) {
    const p = jsonPath(field);
    // A comparison on the order field fixes its type rank; ordering by the rank too would make
    // SQLite sort the whole range in a temporary b-tree instead of walking the index in order.
    const rank = rankFixedBy(q.where, field) ? "" : `${rankExpr(p)} ${dir}, `;
    order = `${rank}${valueExpr(p)} ${dir}, id ${dir}`;
  }
  const params = [...where.params];
  let sql = `SELECT id, data, version FROM documents WHERE ${where.sql} ORDER BY ${order}`;
  if (q.limit !== undefined) {
    sql += " LIMIT ?";
    params.push(q.limit);
  }
  return { sql, params };
}

/** True when a filter on `field` admits a single type rank (a comparison with a non-null scalar). */
function rankFixedBy(where: Where[] | undefined, field: string): boolean {
  return (where ?? []).some((w) => {
    if (w.field !== field || !["==", "<", "<=", ">", ">="].includes(w.op)) return false;
    return rankOf(w.value).rank !== 0;
  });
}

export function countSql(collection: string, where?: Where[]): SqlFragment {
  const w = whereClause(collection, where);
  return { sql: `SELECT count(*) AS n FROM documents WHERE ${w.sql}`, params: w.params };
}
