/**
 * Deterministic row-task ids (`[A-Za-z0-9_-]`). The id names job, pass, row, lane and lane
 * generation: a duplicate enqueue of the same dispatch resolves "exists", while a retry pass or
 * a reconcile re-drive (new generation) gets a fresh id (Cloud Tasks keeps used ids ~1 h).
 */
import type { RowTask } from "./api";
import { laneId } from "./state";

export function rowTaskId(t: RowTask): string {
  return `row-${t.jobId}-p${t.pass}-r${t.rowIndex}-${t.lane}-g${t.gen ?? 0}`;
}

export function makeRowTask(jobId: string, pass: number, rowIndex: number, laneIndex: number, gen: number): RowTask {
  return { jobId, rowIndex, pass, lane: laneId(laneIndex), gen };
}

/** The claim key of one delivery attempt: duplicates of the same attempt share it. */
export function claimKey(t: RowTask, retryCount: number): string {
  return `p${t.pass}-r${t.rowIndex}-${t.lane}-g${t.gen ?? 0}-a${retryCount}`;
}
