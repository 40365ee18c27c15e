/**
 * What the results table shows: which rows (filtered by status), which output columns hold media
 * (for row height), and per-row status including rows that have no result yet.
 */
import type { Job, RowResult, RowWait } from "@core/batch/model";

export type RowFilter = "all" | "succeeded" | "failed" | "pending";

/**
 * "pending": no result yet; "retrying": its last attempt failed retryably and it waits for the next;
 * "not run": the job was cancelled before the row ran.
 */
export type RowState = RowResult["status"] | "pending" | "retrying" | "not run";

/** What a row without a result needs from its job. */
export interface RowContext {
  /** Only a cancel leaves rows that never run. A finished job's rows without a result are still arriving. */
  cancelled: boolean;
  waiting: ReadonlyMap<number, RowWait>;
}

export const NO_ROW_CONTEXT: RowContext = { cancelled: false, waiting: new Map() };

export function rowContext(job: Pick<Job, "status" | "retrying">): RowContext {
  const ended = job.status === "completed" || job.status === "failed" || job.status === "cancelled";
  return {
    cancelled: job.status === "cancelled",
    waiting: ended ? new Map() : new Map((job.retrying ?? []).map((w) => [w.rowIndex, w])),
  };
}

export function rowState(result: RowResult | undefined, ctx: RowContext = NO_ROW_CONTEXT, rowIndex = -1): RowState {
  if (result) return result.status;
  if (ctx.cancelled) return "not run";
  return ctx.waiting.has(rowIndex) ? "retrying" : "pending";
}

/** Row indexes to show, in order. "pending" also lists rows retrying and rows that never ran. */
export function visibleRows(total: number, results: ReadonlyMap<number, RowResult>, filter: RowFilter, ctx: RowContext = NO_ROW_CONTEXT): number[] {
  const out: number[] = [];
  for (let i = 0; i < total; i++) {
    const state = rowState(results.get(i), ctx, i);
    const match =
      filter === "all" ||
      state === filter ||
      (filter === "failed" && state === "cancelled") ||
      (filter === "pending" && (state === "not run" || state === "retrying"));
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
