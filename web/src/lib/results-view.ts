/**
 * What the results table shows: which rows (filtered by status), which output columns hold media
 * (for row height), and per-row status including rows that have no result yet.
 */
import type { RowResult } from "@core/batch/model";

export type RowFilter = "all" | "succeeded" | "failed" | "pending";

/** "pending": not finished yet; "not run": the job ended (cancelled) before the row ran. */
export type RowState = RowResult["status"] | "pending" | "not run";

export function rowState(result: RowResult | undefined, jobEnded: boolean): RowState {
  if (result) return result.status;
  return jobEnded ? "not run" : "pending";
}

/** Row indexes to show, in order. "pending" also lists rows that never ran. */
export function visibleRows(total: number, results: ReadonlyMap<number, RowResult>, filter: RowFilter, jobEnded = false): number[] {
  const out: number[] = [];
  for (let i = 0; i < total; i++) {
    const state = rowState(results.get(i), jobEnded);
    const match =
      filter === "all" ||
      state === filter ||
      (filter === "failed" && state === "cancelled") ||
      (filter === "pending" && state === "not run");
    if (match) out.push(i);
  }
  return out;
}

interface FlowConfigLike {
  nodes: unknown[];
  edges: unknown[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

/** Output name → the kind of node feeding it (text/image/video), from the job's flow snapshot. */
export function outputKinds(flow: FlowConfigLike): Map<string, string> {
  const typeOf = new Map<string, string>();
  const outputs = new Map<string, string>();
  for (const n of flow.nodes) {
    if (!isRecord(n) || typeof n.id !== "string" || typeof n.type !== "string") continue;
    typeOf.set(n.id, n.type);
    if (n.type === "output" && isRecord(n.data) && typeof n.data.name === "string") outputs.set(n.id, n.data.name);
  }
  const kinds = new Map<string, string>();
  for (const e of flow.edges) {
    if (!isRecord(e) || typeof e.source !== "string" || typeof e.target !== "string") continue;
    const name = outputs.get(e.target);
    if (name !== undefined) kinds.set(name, typeOf.get(e.source) ?? "text");
  }
  return kinds;
}
