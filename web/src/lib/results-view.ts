/**
 * What the results table shows: which rows (filtered by status), which output columns hold media
 * (for row height), and per-row status including rows that have no result yet.
 */
import type { Job, RowResult, RowWait } from "@core/batch/model";
import { isCancelled, isTerminal } from "@core/batch/statuses";
import { waitsOnProvider } from "./economy-view";

export type RowFilter = "all" | "succeeded" | "failed" | "pending";

/**
 * "pending": no result yet; "retrying": its last attempt failed retryably and it waits for the next;
 * "not run": the job was cancelled before the row ran; "waiting on provider batch job": an economy
 * job's row while the job has provider batch jobs not settled (its text steps are in them).
 */
export type RowState = RowResult["status"] | "pending" | "retrying" | "not run" | typeof PROVIDER_WAIT;

export const PROVIDER_WAIT = "waiting on provider batch job";

/** What a row without a result needs from its job. */
export interface RowContext {
  /** Only a cancel leaves rows that never run. A finished job's rows without a result are still arriving. */
  cancelled: boolean;
  waiting: ReadonlyMap<number, RowWait>;
  /** Economy mode: rows without a result wait on a provider batch job, not in the row queue. */
  providerWait?: boolean;
}

export const NO_ROW_CONTEXT: RowContext = { cancelled: false, waiting: new Map() };

export function rowContext(job: Pick<Job, "status" | "retrying"> & Partial<Pick<Job, "mode" | "economy">>): RowContext {
  const ended = isTerminal(job.status);
  return {
    cancelled: isCancelled(job.status),
    waiting: ended ? new Map() : new Map((job.retrying ?? []).map((w) => [w.rowIndex, w])),
    providerWait: job.mode !== undefined && waitsOnProvider({ status: job.status, mode: job.mode, economy: job.economy }),
  };
}

export function rowState(result: RowResult | undefined, ctx: RowContext = NO_ROW_CONTEXT, rowIndex = -1): RowState {
  if (result) return result.status;
  if (ctx.cancelled) return "not run";
  if (ctx.waiting.has(rowIndex)) return "retrying";
  return ctx.providerWait ? PROVIDER_WAIT : "pending";
}

/** Row indexes to show, in order. "pending" also lists rows retrying, waiting on a provider batch job, and rows that never ran. */
export function visibleRows(total: number, results: ReadonlyMap<number, RowResult>, filter: RowFilter, ctx: RowContext = NO_ROW_CONTEXT): number[] {
  const out: number[] = [];
  for (let i = 0; i < total; i++) {
    const state = rowState(results.get(i), ctx, i);
    const match =
      filter === "all" ||
      state === filter ||
      (filter === "failed" && state === "cancelled") ||
      (filter === "pending" && (state === "not run" || state === "retrying" || state === PROVIDER_WAIT));
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
