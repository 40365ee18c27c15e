/**
 * Query evaluation with Firestore's semantics, shared by the in-memory store and any adapter that
 * filters in process:
 * - Values order by type first (null < boolean < number < string < array < map), then by value;
 *   strings compare by code point (= UTF-8 byte order, as Firestore does).
 * - `==`/`in` compare deeply; range filters (`<` ... `>=`) match only values of the filter's type;
 *   `!=` matches docs whose field exists, is not null and differs. A missing field never matches.
 * - Order: the `orderBy` field (docs lacking it are left out), else the first inequality field,
 *   else none; ties (and the no-order case) by doc id in the direction of the last order.
 * - `startAfter` continues after the given doc's position; `limit` cuts the result.
 */
import { getAt } from "./doc-data";
import { parseFieldPath } from "./doc-path";
import type { DocData, Query, Where, WhereOp } from "../ports/store";

const WHERE_OPS: readonly WhereOp[] = ["==", "!=", "<", "<=", ">", ">=", "in"];
const INEQUALITY: ReadonlySet<WhereOp> = new Set(["!=", "<", "<=", ">", ">="]);
/** Firestore's limit on `in` disjunctions. */
export const MAX_IN_VALUES = 30;

export class InvalidQueryError extends Error {
  constructor(message: string) {
    super(`invalid query: ${message}`);
    this.name = "InvalidQueryError";
  }
}

function typeRank(v: unknown): number {
  if (v === null || v === undefined) return 0;
  switch (typeof v) {
    case "boolean":
      return 1;
    case "number":
      return 2;
    case "string":
      return 3;
    default:
      return Array.isArray(v) ? 4 : 5;
  }
}

/** Compares strings by Unicode code point (UTF-8 byte order), not UTF-16 unit. */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (0xD800-0xDFFF) stands for a code point above every BMP char.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Total order over stored values, Firestore style. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      return 0;
    case 1:
    case 2:
      return a === b ? 0 : (a as number) < (b as number) ? -1 : 1;
    case 3:
      return compareStrings(a as string, b as string);
    case 4:
      return compareArrays(a as unknown[], b as unknown[]);
    default:
      return compareMaps(a as Record<string, unknown>, b as Record<string, unknown>);
  }
}

function compareArrays(a: unknown[], b: unknown[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length === 0 ? 0 : a.length < b.length ? -1 : 1;
}

function compareMaps(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const ka = Object.keys(a).sort(compareStrings);
  const kb = Object.keys(b).sort(compareStrings);
  const n = Math.min(ka.length, kb.length);
  for (let i = 0; i < n; i++) {
    const c = compareStrings(ka[i] as string, kb[i] as string) || compareValues(a[ka[i] as string], b[kb[i] as string]);
    if (c !== 0) return c;
  }
  return ka.length === kb.length ? 0 : ka.length < kb.length ? -1 : 1;
}

export function valuesEqual(a: unknown, b: unknown): boolean {
  return compareValues(a, b) === 0;
}

interface CompiledWhere {
  segments: string[];
  op: WhereOp;
  value: unknown;
}

function compileWhere(w: Where): CompiledWhere {
  if (!WHERE_OPS.includes(w.op)) throw new InvalidQueryError(`unknown operator "${String(w.op)}"`);
  if (w.value === undefined) throw new InvalidQueryError(`undefined value for "${w.field}"`);
  if (w.op === "in") {
    if (!Array.isArray(w.value) || w.value.length === 0) throw new InvalidQueryError(`"in" on "${w.field}" needs a non-empty array`);
    if (w.value.length > MAX_IN_VALUES) throw new InvalidQueryError(`"in" accepts at most ${MAX_IN_VALUES} values`);
  }
  return { segments: parseFieldPath(w.field), op: w.op, value: w.value };
}

function matchesOne(data: DocData, w: CompiledWhere): boolean {
  const { found, value } = getAt(data, w.segments);
  if (!found) return false;
  switch (w.op) {
    case "==":
      // Fast path for the common primitive filter; numbers and strings compare exactly by ===.
      if (typeof w.value !== "object" && typeof value !== "object") return value === w.value;
      return valuesEqual(value, w.value);
    case "in":
      return (w.value as unknown[]).some((x) => valuesEqual(value, x));
    case "!=":
      return value !== null && !valuesEqual(value, w.value);
    default: {
      if (typeRank(value) !== typeRank(w.value)) return false;
      const c = compareValues(value, w.value);
      if (w.op === "<") return c < 0;
      if (w.op === "<=") return c <= 0;
      if (w.op === ">") return c > 0;
      return c >= 0;
    }
  }
}

export interface QueryPlan {
  filters: CompiledWhere[];
  /** The order field's segments, or null to order by id only. */
  order: string[] | null;
  desc: boolean;
  limit: number | null;
}

/** Validates a query and works out its effective order. */
export function planQuery(q: Query = {}): QueryPlan {
  const filters = (q.where ?? []).map(compileWhere);
  let order: string[] | null = null;
  let desc = false;
  if (q.orderBy) {
    order = parseFieldPath(q.orderBy.field);
    desc = q.orderBy.direction === "desc";
    if (q.orderBy.direction !== undefined && q.orderBy.direction !== "asc" && !desc) {
      throw new InvalidQueryError(`unknown direction "${String(q.orderBy.direction)}"`);
    }
  } else {
    const firstInequality = filters.find((f) => INEQUALITY.has(f.op));
    if (firstInequality) order = firstInequality.segments;
  }
  const limit = q.limit ?? null;
  if (limit !== null && (!Number.isInteger(limit) || limit < 0)) throw new InvalidQueryError("limit must be a non-negative integer");
  return { filters, order, desc, limit };
}

export function matchesFilters(data: DocData, filters: readonly CompiledWhere[]): boolean {
  for (const f of filters) if (!matchesOne(data, f)) return false;
  return true;
}

interface Keyed<D> {
  doc: D;
  key: unknown;
  id: string;
}

/**
 * Runs a planned query over one collection's docs (any shape with `id` and `data`), returning the
 * matching docs in query order after the cursor, cut to the limit.
 */
export function runQuery<D extends { id: string; data: DocData }>(docs: Iterable<D>, plan: QueryPlan, startAfter?: { id: string; data: DocData }): D[] {
  const matched: Keyed<D>[] = [];
  for (const doc of docs) {
    if (!matchesFilters(doc.data, plan.filters)) continue;
    let key: unknown = null;
    if (plan.order) {
      const f = getAt(doc.data, plan.order);
      if (!f.found) continue;
      key = f.value;
    }
    matched.push({ doc, key, id: doc.id });
  }
  const sign = plan.desc ? -1 : 1;
  const cmp = (a: { key: unknown; id: string }, b: { key: unknown; id: string }): number => sign * (compareValues(a.key, b.key) || compareStrings(a.id, b.id));
  matched.sort(cmp);
  let start = 0;
  if (startAfter) {
    const cursor = { key: cursorKey(plan, startAfter), id: startAfter.id };
    start = firstAfter(matched, cursor, cmp);
  }
  const end = plan.limit === null ? matched.length : Math.min(matched.length, start + plan.limit);
  return matched.slice(start, end).map((k) => k.doc);
}

function cursorKey(plan: QueryPlan, cursor: { id: string; data: DocData }): unknown {
  if (!plan.order) return null;
  const f = getAt(cursor.data, plan.order);
  if (!f.found) throw new InvalidQueryError(`startAfter doc "${cursor.id}" lacks the order field "${plan.order.join(".")}"`);
  return f.value;
}

/** Binary search: index of the first element ordered strictly after `cursor`. */
function firstAfter<T>(sorted: T[], cursor: T, cmp: (a: T, b: T) => number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cmp(sorted[mid] as T, cursor) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Counts matches of `where` among docs. */
export function countMatches(docs: Iterable<{ data: DocData }>, where: Where[] = []): number {
  const filters = where.map(compileWhere);
  let n = 0;
  for (const d of docs) if (matchesFilters(d.data, filters)) n++;
  return n;
}
