/**
 * Keeps the latest result per row while results arrive from several places (a page load, live
 * events, a replay after reconnecting) in any order and possibly twice. The newest pass wins; within
 * a pass the later finish wins. Removals (a retry deletes the failed results) clear rows.
 */
import type { RowResult } from "@core/batch/model";

export type ResultsByRow = ReadonlyMap<number, RowResult>;

export interface ResultsChange {
  upserts: readonly RowResult[];
  /** Row indexes whose result was deleted. */
  removals?: readonly number[];
  /** Start from an empty map (a full reload). */
  reset?: boolean;
}

export function isNewer(candidate: RowResult, current: RowResult | undefined): boolean {
  if (!current) return true;
  if (candidate.pass !== current.pass) return candidate.pass > current.pass;
  return candidate.finishedAt >= current.finishedAt;
}

/**
 * Applies changes in order with at most one copy of the map (a flush of many live results must not
 * copy 10,000 entries per result). Returns the same map when nothing changed (cheap for React).
 */
export function applyChanges(current: ResultsByRow, changes: readonly ResultsChange[]): ResultsByRow {
  let next: Map<number, RowResult> | null = null;
  const writable = (): Map<number, RowResult> => (next ??= new Map(current));
  for (const change of changes) {
    if (change.reset) next = new Map();
    for (const index of change.removals ?? []) if ((next ?? current).has(index)) writable().delete(index);
    for (const result of change.upserts) {
      if (isNewer(result, (next ?? current).get(result.rowIndex))) writable().set(result.rowIndex, result);
    }
  }
  return next ?? current;
}

export function mergeResults(current: ResultsByRow, change: ResultsChange): ResultsByRow {
  return applyChanges(current, [change]);
}

/** Drops failed results (what a retry of failed rows does on the server). */
export function dropFailed(current: ResultsByRow): ResultsByRow {
  const failed = [...current.values()].filter((r) => r.status === "failed").map((r) => r.rowIndex);
  return failed.length === 0 ? current : mergeResults(current, { upserts: [], removals: failed });
}
