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
  const name = `${t.jobId}-p${t.pass}-r${t.rowIndex}-${t.lane}-g${t.gen ?? 0}`;
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

export function makeRowTask(jobId: string, pass: number, rowIndex: number, laneIndex: number, gen: number): RowTask {
  return { jobId, rowIndex, pass, lane: laneId(laneIndex), gen };
}

/** The claim key of one delivery attempt: duplicates of the same attempt share it. */
export function claimKey(t: RowTask, retryCount: number): string {
  return `p${t.pass}-r${t.rowIndex}-${t.lane}-g${t.gen ?? 0}-a${retryCount}`;
}
