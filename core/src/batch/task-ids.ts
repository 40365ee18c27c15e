/**
 * Deterministic row-task ids (`[A-Za-z0-9_-]`). The id names job, pass, row, lane and lane
 * generation: a duplicate enqueue of the same dispatch resolves "exists", while a retry pass or
 * a reconcile re-drive (new generation) gets a fresh id (Cloud Tasks keeps used ids ~1 h).
 * The id starts with a short hash of the rest: Cloud Tasks spreads tasks by name, and sequential
 * names (row 1, row 2, ...) sharing a long prefix raise its enqueue latency.
 */
import type { RowTask } from "./api";
import { laneId } from "./state";

export function rowTaskId(t: RowTask): string {
  // A re-enqueued attempt needs a name of its own; attempt 0 keeps the plain name.
  const attempt = t.attempt ? `-a${t.attempt}` : "";
  const name = `${t.jobId}-p${t.pass}-r${t.rowIndex}-${t.lane}-g${t.gen ?? 0}${attempt}`;
  return `${fnv1a(name).toString(36).padStart(7, "0")}-${name}`;
}

/** 32-bit FNV-1a: a stable, well-spread hash of a short ASCII string. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** What names one row task: the lane's pass and generation, the row, and attempts used before it. */
export interface RowTaskSpec {
  jobId: string;
  pass: number;
  rowIndex: number;
  laneIndex: number;
  gen: number;
  /** Attempts the row used before this task (the lane's `attemptBase`); 0 or absent = none. */
  attempt?: number;
}

export function makeRowTask(spec: RowTaskSpec): RowTask {
  const { jobId, rowIndex, pass, laneIndex, gen, attempt = 0 } = spec;
  const task: RowTask = { jobId, rowIndex, pass, lane: laneId(laneIndex), gen };
  if (attempt > 0) task.attempt = attempt;
  return task;
}

/**
 * The claim key of one delivery attempt of one task: duplicates of the same attempt share it. A
 * re-enqueued task (payload `attempt` > 0) has its own keys; its older task is superseded by the
 * lane's `attemptBase` instead (row-task.ts), so the two never run the row side by side.
 */
export function claimKey(t: RowTask, retryCount: number): string {
  const base = t.attempt ? `-b${t.attempt}` : "";
  return `p${t.pass}-r${t.rowIndex}-${t.lane}-g${t.gen ?? 0}${base}-a${retryCount}`;
}
