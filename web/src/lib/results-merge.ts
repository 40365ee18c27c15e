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

/** Returns a new map when something changed, else the same map (cheap for React state). */
export function mergeResults(current: ResultsByRow, change: ResultsChange): ResultsByRow {
  const next = new Map(change.reset ? [] : current);
  let changed = change.reset === true;
  for (const index of change.removals ?? []) changed = next.delete(index) || changed;
  for (const result of change.upserts) {
    if (isNewer(result, next.get(result.rowIndex))) {
      next.set(result.rowIndex, result);
      changed = true;
    }
  }
  return changed ? next : current;
}

/** Drops failed results (what a retry of failed rows does on the server). */
export function dropFailed(current: ResultsByRow): ResultsByRow {
  const failed = [...current.values()].filter((r) => r.status === "failed").map((r) => r.rowIndex);
  return failed.length === 0 ? current : mergeResults(current, { upserts: [], removals: failed });
}
