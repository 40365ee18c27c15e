/**
 * What the results table shows: which rows (filtered by status), which output columns hold media
 * (for row height), and per-row status including rows that have no result yet.
 */
import type { RowResult } from "@core/batch/model";

export type RowFilter = "all" | "succeeded" | "failed" | "pending";

export type RowState = RowResult["status"] | "pending";

export function rowState(result: RowResult | undefined): RowState {
  return result ? result.status : "pending";
}

/** Row indexes to show, in order. */
export function visibleRows(total: number, results: ReadonlyMap<number, RowResult>, filter: RowFilter): number[] {
  const out: number[] = [];
  for (let i = 0; i < total; i++) {
    const state = rowState(results.get(i));
    if (filter === "all" || state === filter || (filter === "failed" && state === "cancelled")) out.push(i);
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
