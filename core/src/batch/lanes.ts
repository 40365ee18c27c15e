/**
 * Lane arithmetic (pure). A pass's work list (positions 0..passRows-1) is split into contiguous
 * ranges, one per lane. A lane runs one position at a time (`current`), then takes `next` from its
 * own range; when that is empty it steals the upper half of the largest remaining range of any
 * other lane of the pass. Positions only ever move from one range to another, and each is taken
 * out of a range exactly once, so every position runs in exactly one lane.
 *
 * Short rows run as a GROUP (row-group.ts): the task of a busy lane may go on from `current` to the
 * positions `next, next+1, ...` of its own range, one row after another, and commit them together.
 * It only runs a position a steal cannot take (`inLowerHalf`), re-checked against a fresh read of
 * the lane before each row, and the commit counts only positions still below the lane's `end`.
 */
import { ZERO_USAGE } from "../ai/port";
import { stealable, type JobState, type Lane } from "./state";
import { isRunnable } from "./statuses";

export function newLane(index: number, pass: number, range: [number, number], now: number, list = ""): Lane {
  return {
    index,
    pass,
    list,
    gen: 0,
    current: null,
    next: range[0],
    end: range[1],
    succeeded: 0,
    failed: 0,
    usage: { ...ZERO_USAGE },
    costUsd: 0,
    lastError: null,
    attemptBase: 0,
    retry: null,
    breaker: {},
    unreachableSince: null,
    lastAnswerAt: null,
    open: range[0] < range[1],
    busy: false,
    rowMs: null,
    stolen: false,
    updatedAt: now,
  };
}

/** `count` lanes over `positions`, ranges as even as possible, each lane idle. */
export function splitRanges(positions: number, count: number, pass: number, now: number, list = ""): Lane[] {
  const lanes: Lane[] = [];
  for (let i = 0; i < count; i++) {
    const from = Math.floor((i * positions) / count);
    const to = Math.floor(((i + 1) * positions) / count);
    lanes.push(newLane(i, pass, [from, to], now, list));
  }
  return lanes;
}

export const remaining = (l: Lane): number => Math.max(0, l.end - l.next);

export { GROUP_TARGET_MS } from "./state";
/** Most rows in one group (its commit writes one result document per row, plus the lane). */
export const MAX_GROUP_ROWS = 32;

/**
 * May the busy lane's task run position `p` of its range before it commits? When the stored lane
 * is not stealable (`stealable`: its range is too short to be worth a steal, or a steal already
 * took part of it since the owner's last commit), any position of its range: no thief can take one
 * before the owner's commit. Otherwise only the lower half of [next, end): a steal takes
 * [next + ⌊(end − next)/2⌋, end) and marks the lane `stolen`, so a position below that bound stays
 * the lane's even if a thief steals right after this read, and no second steal follows. (Lanes of
 * rows as long as a group's target, exempt from `stolen`, run groups of one row. Whatever happens,
 * the commit leaves out a row past the lane's end.)
 */
export function inLowerHalf(lane: Pick<Lane, "next" | "end" | "current" | "rowMs" | "stolen">, p: number): boolean {
  if (p < lane.next || p >= lane.end) return false;
  return !stealable(lane) || p < lane.next + Math.floor((lane.end - lane.next) / 2);
}

/** May this lane start another row? Not after cancel, and not once it is above the concurrency. */
export function laneMayRun(lane: Lane, job: Pick<JobState, "cancelRequested" | "concurrency" | "status">): boolean {
  return isRunnable(job) && lane.index < job.concurrency;
}

/** Takes the next position from the lane's own range; false when the range is empty. */
export function takeOwn(lane: Lane): boolean {
  if (lane.next >= lane.end) return false;
  lane.current = lane.next;
  lane.next += 1;
  clearAttempts(lane);
  return true;
}

/**
 * Steals the upper half (at least one position) of the largest remaining range among `others`
 * into `thief`, which becomes busy with the first stolen position. Returns the victim (mutated), or
 * null when nothing is left anywhere. Ties go to the lowest lane index (deterministic).
 */
export function steal(thief: Lane, others: Lane[]): Lane | null {
  let victim: Lane | null = null;
  for (const l of others) {
    if (l.index === thief.index || l.pass !== thief.pass) continue;
    if (stealable(l) && (victim === null || remaining(l) > remaining(victim))) victim = l;
  }
  if (!victim) return null;
  const split = victim.next + Math.floor(remaining(victim) / 2);
  thief.current = split;
  thief.next = split + 1;
  clearAttempts(thief);
  thief.end = victim.end;
  victim.end = split;
  // A busy victim's group may be running positions of the half it keeps: no second steal until
  // its owner commits (stealable), so none of them can be taken.
  if (victim.current !== null) victim.stolen = true;
  return victim;
}

/**
 * A new current row (or none) starts with no attempts used and no pending retry, and, as its
 * group has not run anything yet, its range may be stolen from again.
 */
export function clearAttempts(lane: Lane): void {
  lane.attemptBase = 0;
  lane.retry = null;
  lane.stolen = false;
}

/** True when the pass is over: no lane busy, and nothing left to run (or the job was cancelled). */
export function passFinished(lanes: Lane[], cancelRequested: boolean): boolean {
  if (lanes.some((l) => l.current !== null)) return false;
  return cancelRequested || lanes.every((l) => remaining(l) === 0);
}

/** Positions never taken by any lane (what a cancelled pass skipped). */
export function untaken(lanes: Lane[]): number {
  return lanes.reduce((n, l) => n + remaining(l), 0);
}
