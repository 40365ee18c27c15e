/**
 * Where a run's lane time went (`--tail`): each lane's time split into running rows (engine time of
 * its attempts), busy without running a row (a position in flight but no attempt: commits, task
 * dispatch, claims, reads between a group's rows, a retry's wait, a lost enqueue's repair) and idle
 * (no position), summed over the lanes; and the job's end: when the first lane ran its last row,
 * and the lane that ran the job's last row, with its rows of the run's last `windowMs`. The figures
 * come from the attempts the observer saw and the lane documents' committed states.
 */
import type { Attempt } from "./simulation";
import { round } from "./metrics";

/** A lane document as committed: when, which lane, and its position in flight (null = idle). */
export interface LaneState {
  jobId: string;
  at: number;
  lane: string;
  current: number | null;
}

export interface TailRow {
  row: number;
  /** Start, from the job's start (ms). */
  startMs: number;
  ms: number;
  attempt: number;
  status: string;
}

export interface TailReport {
  /** Lane time summed over the lanes (s): rows running, busy without a row running, idle. */
  runningS: number;
  busyNotRunningS: number;
  idleS: number;
  /** From the job's start (ms): the earliest of the lanes' last row ends, and the last one. */
  firstLaneDoneMs: number;
  lastRowEndMs: number;
  /** Idle lane time after the first lane ran its last row (s). */
  tailIdleS: number;
  /** The lane that ran the job's last row, and its rows that ended in the run's last windowMs. */
  lastLane: string;
  lastLaneRows: TailRow[];
}

export function tailReport(o: { attempts: Attempt[]; lanes: LaneState[]; jobId: string; t0: number; end: number; windowMs?: number }): TailReport {
  const { t0, end } = o;
  const windowMs = o.windowMs ?? 10_000;
  const attempts = o.attempts.filter((a) => a.jobId === o.jobId);
  const byLane = new Map<string, Attempt[]>();
  for (const a of attempts) byLane.set(a.lane, [...(byLane.get(a.lane) ?? []), a]);
  const states = new Map<string, LaneState[]>();
  for (const s of o.lanes.filter((l) => l.jobId === o.jobId)) states.set(s.lane, [...(states.get(s.lane) ?? []), s]);
  let running = 0;
  let idle = 0;
  let tailIdle = 0;
  let firstDone = Infinity;
  let lastEnd = -Infinity;
  let lastLane = "";
  const lastEnds = new Map<string, number>();
  for (const [lane, list] of byLane) {
    const laneEnd = Math.max(...list.map((a) => a.end));
    lastEnds.set(lane, laneEnd);
    firstDone = Math.min(firstDone, laneEnd);
    if (laneEnd > lastEnd) {
      lastEnd = laneEnd;
      lastLane = lane;
    }
  }
  const lanes = new Set([...byLane.keys(), ...states.keys()]);
  for (const lane of lanes) {
    running += (byLane.get(lane) ?? []).reduce((n, a) => n + (Math.min(a.end, end) - Math.max(a.start, t0)), 0);
    const seq = (states.get(lane) ?? []).slice().sort((a, b) => a.at - b.at);
    // Before its first write a lane is idle (created idle, or never started).
    let from = t0;
    let isIdle = true;
    for (const s of [...seq, { at: end, current: null }]) {
      const at = Math.min(Math.max(s.at, t0), end);
      if (isIdle) {
        idle += at - from;
        tailIdle += Math.max(0, at - Math.max(from, firstDone));
      }
      from = at;
      isIdle = s.current === null;
    }
  }
  const total = lanes.size * (end - t0);
  const lastLaneRows = (byLane.get(lastLane) ?? [])
    .filter((a) => a.end >= end - windowMs)
    .sort((a, b) => a.start - b.start)
    .map((a) => ({ row: a.rowIndex, startMs: Math.round(a.start - t0), ms: Math.round(a.end - a.start), attempt: a.attempt, status: a.status }));
  return {
    runningS: round(running / 1000, 1),
    busyNotRunningS: round((total - running - idle) / 1000, 1),
    idleS: round(idle / 1000, 1),
    firstLaneDoneMs: Number.isFinite(firstDone) ? Math.round(firstDone - t0) : 0,
    lastRowEndMs: Number.isFinite(lastEnd) ? Math.round(lastEnd - t0) : 0,
    tailIdleS: round(tailIdle / 1000, 1),
    lastLane,
    lastLaneRows,
  };
}
