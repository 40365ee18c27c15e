/**
 * The row commit: ONE transaction that creates the result doc, counts the row in its lane's
 * counters and moves the lane to its next position (own range, else steal). It is guarded by
 * `lane.current == position` for this pass, so a row is counted exactly once however many
 * deliveries reach this point: the first commit moves `current` away, every later one is a no-op.
 */
import { addUsage } from "../ai/port";
import { addUsd } from "../governor/run-cost";
import type { RowTask } from "./api";
import { countInLane } from "./breaker";
import type { BatchContext } from "./context";
import { jobFlow } from "./context";
import { clearAttempts, laneMayRun, newLane, steal, takeOwn } from "./lanes";
import { maybeFinalize } from "./finalize";
import { jobPath, resultPath, RowResult } from "./model";
import { JobState, Lane, lanePath, lanesPath, storedLane } from "./state";

export interface CommitOutcome {
  committed: boolean;
  /** The lane after the commit (or as found, when not committed); null if it no longer exists. */
  lane: Lane | null;
  /** The lane may keep running (so, if idle, it should try to steal). */
  mayRun?: boolean;
  /** The row counted for the circuit breaker: check it (breaker.ts). */
  checkBreaker?: boolean;
}

/** One row's commit: the task that ran it, its lane and work-list position, and its result. */
export interface RowCommit {
  task: RowTask;
  laneIndex: number;
  position: number;
  result: RowResult;
  /**
   * What this pass's attempts of the row cost (the result's `costUsd` less what earlier passes
   * carried in, which the job's base already counts): the lane's cost counter adds it. Absent =
   * the result's `costUsd`.
   */
  passSpendUsd?: number;
}

/** A lane's position in flight, as a handler saw it. */
export interface LanePosition {
  jobId: string;
  laneIndex: number;
  pass: number;
  position: number;
}

export async function commitRow(ctx: BatchContext, c: RowCommit): Promise<CommitOutcome> {
  const { task, laneIndex, position: pos, result } = c;
  const passSpendUsd = c.passSpendUsd ?? result.costUsd;
  const { store, clock } = ctx.deps;
  return store.runTransaction(async (tx) => {
    // Pass 0 has no earlier result to replace (a row's first result is created by the commit that
    // moves its lane on), so only a retry pass reads the row's result.
    const paths = [jobPath(task.jobId), lanePath(task.jobId, laneIndex), ...(task.pass > 0 ? [resultPath(task.jobId, task.rowIndex)] : [])];
    const [jobDoc, laneDoc, existing] = await tx.getAll(paths);
    if (!jobDoc || !laneDoc) return { committed: false, lane: null };
    const job = JobState.parse(jobDoc.data);
    const lane = Lane.parse(laneDoc.data);
    if (lane.pass !== task.pass || lane.current !== pos) return { committed: false, lane };
    const prior = existing ? RowResult.parse(existing.data) : null;
    if (prior && prior.pass === task.pass) return { committed: false, lane };
    lane.current = null;
    clearAttempts(lane);
    // Own range first; an empty range leaves the lane idle here and `stealWork` runs after the
    // commit (a steal reads other lanes, which would make this hot transaction contend).
    if (laneMayRun(lane, job)) takeOwn(lane);
    if (prior) tx.set(resultPath(task.jobId, task.rowIndex), result);
    else tx.create(resultPath(task.jobId, task.rowIndex), result);
    const tripKey = countInLane(lane, result.error, jobFlow(ctx, job), clock.now());
    if (result.status === "succeeded") lane.succeeded += 1;
    else {
      lane.failed += 1;
      if (result.error) lane.lastError = { code: result.error.code, message: result.error.message, retryable: result.error.retryable };
    }
    lane.usage = addUsage(lane.usage, result.usage);
    lane.costUsd = addUsd(lane.costUsd, passSpendUsd);
    lane.updatedAt = clock.now();
    tx.set(lanePath(task.jobId, laneIndex), storedLane(lane));
    return { committed: true, lane, mayRun: laneMayRun(lane, job), checkBreaker: tripKey !== null || result.error?.code === "unavailable" };
  });
}

/** Ends the lane's current position without a result (cancel, or the job is no longer running). */
export async function stopLane(ctx: BatchContext, at: LanePosition): Promise<boolean> {
  const { jobId, laneIndex, pass, position: pos } = at;
  const { store, clock } = ctx.deps;
  return store.runTransaction(async (tx) => {
    const doc = await tx.get(lanePath(jobId, laneIndex));
    if (!doc) return false;
    const lane = Lane.parse(doc.data);
    if (lane.pass !== pass || lane.current !== pos) return false;
    tx.set(lanePath(jobId, laneIndex), storedLane({ ...lane, current: null, attemptBase: 0, retry: null, updatedAt: clock.now() }));
    return true;
  });
}

/**
 * Hands the lane's current position back to the front of its range without a result (pause): the
 * lane goes idle and the row runs again from its position when the job resumes. A new generation
 * gives that run fresh task and claim ids (the old ones may be spent) and makes any task still
 * queued for the position stale; its checkpoint (same pass) is kept, so completed nodes are resumed.
 * The row's attempt budget starts again. False when the lane moved on meanwhile.
 */
export async function yieldPosition(ctx: BatchContext, jobId: string, seen: Pick<Lane, "index" | "pass" | "current" | "gen">): Promise<boolean> {
  const { store, clock } = ctx.deps;
  return store.runTransaction(async (tx) => {
    const doc = await tx.get(lanePath(jobId, seen.index));
    if (!doc) return false;
    const lane = Lane.parse(doc.data);
    const pos = lane.current;
    if (lane.pass !== seen.pass || pos === null || pos !== seen.current || lane.gen !== seen.gen) return false;
    // A busy lane's position is always the one just below its range (takeOwn and steal keep it so).
    if (lane.next !== pos + 1) throw new Error(`lane ${lane.index} holds position ${pos} outside its range [${lane.next}, ${lane.end})`);
    tx.set(lanePath(jobId, seen.index), storedLane({ ...lane, current: null, next: pos, gen: lane.gen + 1, attemptBase: 0, retry: null, updatedAt: clock.now() }));
    return true;
  });
}

/** Open lanes an idle lane reads per steal attempt: its reads stay bounded at any concurrency. */
export const STEAL_PROBE = 4;

/**
 * An idle lane that may run takes half of the largest remaining range among a few OPEN lanes of
 * its pass (a filtered query on the `open` flag, at most STEAL_PROBE lanes, never every lane). The
 * victim is chosen from that plain read; the transaction then reads only the two lanes (and the
 * job) and re-checks both, retrying with a fresh choice when the victim's range was taken meanwhile.
 * Returns the lane busy with its new position, or null when no lane of the pass is open.
 */
export async function stealWork(ctx: BatchContext, jobId: string, laneIndex: number, pass: number): Promise<Lane | null> {
  const { store, clock } = ctx.deps;
  for (let round = 0; round < 8; round++) {
    const others = await openLanes(ctx, jobId, laneIndex, pass);
    const choice = steal(idleProbe(laneIndex, pass), others);
    if (!choice) return null;
    const out = await store.runTransaction(async (tx) => {
      const [jobDoc, meDoc, victimDoc] = await tx.getAll([jobPath(jobId), lanePath(jobId, laneIndex), lanePath(jobId, choice.index)]);
      if (!jobDoc || !meDoc || !victimDoc) return "stop" as const;
      const job = JobState.parse(jobDoc.data);
      const thief = Lane.parse(meDoc.data);
      const victim = Lane.parse(victimDoc.data);
      if (thief.current !== null || thief.pass !== job.pass || !laneMayRun(thief, job)) return "stop" as const;
      if (!steal(thief, [victim])) return "retry" as const;
      thief.updatedAt = clock.now();
      tx.set(lanePath(jobId, laneIndex), storedLane(thief));
      tx.set(lanePath(jobId, victim.index), storedLane(victim));
      return thief;
    });
    if (out === "stop") return null;
    if (out !== "retry") return out;
  }
  return null;
}

/**
 * Up to STEAL_PROBE open lanes of the pass, the ones following `laneIndex` in index order (wrapping
 * around), so thieves spread over different victims instead of all picking the lowest lanes.
 */
async function openLanes(ctx: BatchContext, jobId: string, laneIndex: number, pass: number): Promise<Lane[]> {
  const base = [{ field: "pass", op: "==" as const, value: pass }, { field: "open", op: "==" as const, value: true }];
  const page = (op: ">" | "<") => ctx.deps.store.query(lanesPath(jobId), { where: [...base, { field: "index", op, value: laneIndex }], orderBy: { field: "index" }, limit: STEAL_PROBE });
  const after = await page(">");
  const docs = after.length > 0 ? after : await page("<");
  return docs.map((d) => Lane.parse(d.data));
}

/** A stand-in thief for choosing a victim from a plain read (`steal` mutates only copies). */
function idleProbe(index: number, pass: number): Lane {
  return newLane(index, pass, [0, 0], 0);
}

/**
 * Finalizes when no lane of the pass is busy. The check is one filtered query (`busy`, limit 1),
 * so the full read of the lanes in maybeFinalize runs about once per pass, not once per idle lane.
 * The last lane to go idle always sees the others idle (their commits precede its own), so the
 * pass is still finalized by its last commit (or that commit's result trigger, or reconcile).
 */
export async function finalizeIfIdle(ctx: BatchContext, jobId: string, pass: number): Promise<void> {
  const busy = await ctx.deps.store.query(lanesPath(jobId), { where: [{ field: "pass", op: "==", value: pass }, { field: "busy", op: "==", value: true }], limit: 1 });
  if (busy.length === 0) await maybeFinalize(ctx, jobId);
}
