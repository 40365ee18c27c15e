/**
 * The group commit: ONE transaction that creates the result docs of a lane's group (the rows its
 * task ran, in position order from `current`), counts them in the lane's counters and moves the
 * lane to its next position (own range; a steal runs after the commit). It is guarded by
 * `lane.current == position` for this pass, so each row is counted exactly once however many
 * deliveries reach this point: the first commit moves `current` away, every later one is a no-op.
 * Only positions below the lane's `end` are the lane's: a row that a steal took while it ran is
 * left out (its thief runs and counts it), so the counted ranges stay disjoint.
 */
import { addUsage } from "../ai/port";
import { addUsd } from "../governor/run-cost";
import type { RowTask } from "./api";
import { countInLane } from "./breaker";
import type { BatchContext } from "./context";
import { jobFlow } from "./context";
import { clearAttempts, laneMayRun, newLane, remaining, steal, takeOwn } from "./lanes";
import { maybeFinalize } from "./finalize";
import { jobPath, resultPath, RowResult } from "./model";
import { TransactionConflictError } from "../ports/store";
import { JobState, Lane, lanePath, lanesPath, stealable, storedLane, type RowRetry } from "./state";

export interface CommitOutcome {
  committed: boolean;
  /** The rows counted (the group's rows below the lane's `end`); empty when not committed. */
  rows: CommittedRow[];
  /** The lane after the commit (or as found, when not committed); null if it no longer exists. */
  lane: Lane | null;
  /** The lane may keep running (so, if idle, it should try to steal). */
  mayRun?: boolean;
  /** Committed rows whose errors count for the circuit breaker: check them (breaker.ts). */
  breakerErrors?: NonNullable<RowResult["error"]>[];
  /** The probe for a victim just before this commit found no lane to steal from. */
  probedDry?: boolean;
}

/** One row of a group commit: its result and what this pass's attempts of it cost. */
export interface CommittedRow {
  result: RowResult;
  /**
   * What this pass's attempts of the row cost (the result's `costUsd` less what earlier passes
   * carried in, which the job's base already counts): the lane's cost counter adds it. Absent =
   * the result's `costUsd`.
   */
  passSpendUsd?: number;
}

/** The row that ended a group with a retryable failure: it becomes the lane's next position. */
export interface GroupRetry {
  retry: RowRetry;
  /** Attempts the row has used: its next task's payload `attempt`. */
  attemptBase: number;
  unreachable: boolean;
}

/** A group commit: the task that ran it, its lane, its first position, and its rows in order. */
export interface RowCommit {
  task: RowTask;
  laneIndex: number;
  position: number;
  rows: CommittedRow[];
  /** Set when a retryable failure of the row after the last committed one ended the group. */
  retryNext?: GroupRetry;
  /**
   * A lane to steal from when the commit empties this lane's range (chosen from a plain read of
   * the open lanes before the commit): the steal then happens in the commit's own transaction, so
   * the lane document takes one write instead of a commit followed at once by a steal.
   */
  victim?: number;
}

/** A lane's position in flight, as a handler saw it. */
export interface LanePosition {
  jobId: string;
  laneIndex: number;
  pass: number;
  position: number;
}

export async function commitRows(ctx: BatchContext, c: RowCommit): Promise<CommitOutcome> {
  if (c.victim === undefined) return commitOnce(ctx, c);
  // The victim is the lane other thieves aim at too: when it keeps changing under this commit,
  // commit without the steal rather than queue the rows' commit behind that lane (the steal
  // then runs on its own, after the commit, and chooses again).
  try {
    return await commitOnce(ctx, c, STEAL_TX_ATTEMPTS);
  } catch (err) {
    if (!(err instanceof TransactionConflictError)) throw err;
    const { victim: _skipped, ...alone } = c;
    return commitOnce(ctx, alone);
  }
}

async function commitOnce(ctx: BatchContext, c: RowCommit, maxAttempts?: number): Promise<CommitOutcome> {
  const { task, laneIndex, position: pos } = c;
  const { store } = ctx.deps;
  return store.runTransaction(
    async (tx) => {
      // Pass 0 has no earlier result to replace (a row's first result is created by the commit that
      // moves its lane on), so only a retry pass reads the rows' results.
      const resultPaths = task.pass > 0 ? c.rows.map((r) => resultPath(task.jobId, r.result.rowIndex)) : [];
      const victimPaths = c.victim !== undefined && c.victim !== laneIndex ? [lanePath(task.jobId, c.victim)] : [];
      const [jobDoc, laneDoc, ...more] = await tx.getAll([jobPath(task.jobId), lanePath(task.jobId, laneIndex), ...victimPaths, ...resultPaths]);
      const victimDoc = victimPaths.length > 0 ? more[0] : null;
      const existing = more.slice(victimPaths.length);
      if (!jobDoc || !laneDoc) return { committed: false, rows: [], lane: null };
      const job = JobState.parse(jobDoc.data);
      const lane = Lane.parse(laneDoc.data);
      if (lane.pass !== task.pass || lane.current !== pos) return { committed: false, rows: [], lane };
      // `current` is never stolen (a steal splits [next, end)), so at least the first row is kept.
      // Rows past the lane's end were stolen while they ran: the thief's results count, not these,
      // so only the kept rows' results decide whether this commit already happened.
      const rows = c.rows.slice(0, Math.max(1, lane.end - pos));
      const priors = existing.slice(0, rows.length).map((d) => (d ? RowResult.parse(d.data) : null));
      if (priors.some((p) => p !== null && p.pass === task.pass)) return { committed: false, rows: [], lane };
      rows.forEach((r, i) => {
        const path = resultPath(task.jobId, r.result.rowIndex);
        if (priors[i]) tx.set(path, r.result);
        else tx.create(path, r.result);
      });
      const breakerErrors = countRows(ctx, lane, job, rows);
      const retryNext = c.retryNext && pos + rows.length < lane.end && rows.length === c.rows.length ? c.retryNext : undefined;
      advance(lane, job, pos + rows.length, retryNext);
      lane.updatedAt = ctx.deps.clock.now();
      const victim = victimDoc ? Lane.parse(victimDoc.data) : null;
      // The range ran dry: take half of the chosen victim's range in this same transaction (it read
      // the victim, so a concurrent steal or commit of the victim makes it re-run, as a steal would).
      if (victim && lane.current === null && laneMayRun(lane, job) && steal(lane, [victim])) {
        victim.updatedAt = lane.updatedAt;
        tx.set(lanePath(task.jobId, victim.index), storedLane(victim));
      }
      tx.set(lanePath(task.jobId, laneIndex), storedLane(lane));
      return { committed: true, rows, lane, mayRun: laneMayRun(lane, job), breakerErrors };
    },
    maxAttempts !== undefined ? { maxAttempts } : undefined,
  );
}

/** Weight of each committed row in the lane's moving average of row time (`Lane.rowMs`). */
const ROW_MS_WEIGHT = 0.3;

/** Adds the rows to the lane's counters; returns the breaker's errors among them. */
function countRows(ctx: BatchContext, lane: Lane, job: JobState, rows: CommittedRow[]): NonNullable<RowResult["error"]>[] {
  const now = ctx.deps.clock.now();
  const trips: NonNullable<RowResult["error"]>[] = [];
  for (const { result, passSpendUsd } of rows) {
    const tripKey = countInLane(lane, result.error, jobFlow(ctx, job), now);
    if (result.error && (tripKey !== null || result.error.code === "unavailable")) trips.push(result.error);
    if (result.status === "succeeded") lane.succeeded += 1;
    else {
      lane.failed += 1;
      if (result.error) lane.lastError = { code: result.error.code, message: result.error.message, retryable: result.error.retryable };
    }
    lane.usage = addUsage(lane.usage, result.usage);
    lane.rowMs = lane.rowMs === null ? result.durationMs : Math.round(lane.rowMs + ROW_MS_WEIGHT * (result.durationMs - lane.rowMs));
    lane.costUsd = addUsd(lane.costUsd, passSpendUsd ?? result.costUsd);
  }
  return trips;
}

/**
 * Moves the lane past the committed rows (its range now starts after them) and, when it may run,
 * to its next position; a row that ended the group with a retryable failure is that position,
 * waiting for its retry.
 */
function advance(lane: Lane, job: JobState, firstUncommitted: number, retryNext: GroupRetry | undefined): void {
  lane.current = null;
  lane.next = Math.max(lane.next, firstUncommitted);
  clearAttempts(lane);
  // Own range first; an empty range leaves the lane idle here and `stealWork` runs after the
  // commit (a steal reads other lanes, which would make this hot transaction contend).
  if (!laneMayRun(lane, job) || !takeOwn(lane) || !retryNext) return;
  lane.retry = retryNext.retry;
  lane.attemptBase = retryNext.attemptBase;
  if (retryNext.unreachable) lane.unreachableSince ??= retryNext.retry.at ?? lane.updatedAt;
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
    // A busy lane's position is always the one just below its range (takeOwn and steal keep it so;
    // a group's further rows are not written to the lane before its commit).
    if (lane.next !== pos + 1) throw new Error(`lane ${lane.index} holds position ${pos} outside its range [${lane.next}, ${lane.end})`);
    tx.set(
      lanePath(jobId, seen.index),
      storedLane({ ...lane, current: null, next: pos, gen: lane.gen + 1, attemptBase: 0, retry: null, updatedAt: clock.now() }),
    );
    return true;
  });
}

/** Attempts of one steal transaction before the thief probes again (a contended victim is skipped). */
const STEAL_TX_ATTEMPTS = 2;

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
  // Victims that changed under this thief's transaction: other thieves (or the victim's own
  // commit) are at them, so this thief turns to another open lane instead of queueing there.
  const contended = new Set<number>();
  for (let round = 0; round < 8; round++) {
    const others = (await openLanes(ctx, jobId, laneIndex, pass)).filter((l) => !contended.has(l.index));
    const choice = pickVictim(laneIndex, others);
    if (!choice) return null;
    const out = await stealFrom(ctx, jobId, laneIndex, choice.index, pass);
    if (out === "stop") return null;
    if (out === "contended") contended.add(choice.index);
    else if (out !== "taken") return out;
  }
  return null;
}

/**
 * One steal transaction: the idle `thiefIndex` takes half of `victimIndex`'s range, re-checking
 * both lanes and the job (the thief still idle in this pass and allowed to run, the victim still
 * stealable). "taken" when the victim has nothing stealable any more, "contended" when it changed
 * under the transaction twice, "stop" when the thief should not steal at all.
 */
export async function stealFrom(
  ctx: BatchContext,
  jobId: string,
  thiefIndex: number,
  victimIndex: number,
  pass: number,
): Promise<Lane | "stop" | "taken" | "contended"> {
  const { store, clock } = ctx.deps;
  return store
    .runTransaction(
      async (tx) => {
        const [jobDoc, meDoc, victimDoc] = await tx.getAll([jobPath(jobId), lanePath(jobId, thiefIndex), lanePath(jobId, victimIndex)]);
        if (!jobDoc || !meDoc || !victimDoc) return "stop" as const;
        const job = JobState.parse(jobDoc.data);
        const thief = Lane.parse(meDoc.data);
        const victim = Lane.parse(victimDoc.data);
        if (thief.current !== null || thief.pass !== pass || thief.pass !== job.pass || !laneMayRun(thief, job)) return "stop" as const;
        if (!steal(thief, [victim])) return "taken" as const;
        thief.updatedAt = victim.updatedAt = clock.now();
        tx.set(lanePath(jobId, thiefIndex), storedLane(thief));
        tx.set(lanePath(jobId, victim.index), storedLane(victim));
        return thief;
      },
      { maxAttempts: STEAL_TX_ATTEMPTS },
    )
    .catch((err: unknown) => {
      // The victim was written meanwhile (another thief, its own commit): the caller chooses again
      // instead of queueing on one lane.
      if (err instanceof TransactionConflictError) return "contended" as const;
      throw err;
    });
}

/**
 * Up to STEAL_PROBE open lanes of the pass, the ones following `laneIndex` in index order (wrapping
 * around), so thieves spread over different victims instead of all picking the lowest lanes.
 */
export async function openLanes(ctx: BatchContext, jobId: string, laneIndex: number, pass: number): Promise<Lane[]> {
  const base = [
    { field: "pass", op: "==" as const, value: pass },
    { field: "open", op: "==" as const, value: true },
  ];
  const page = (op: ">" | "<") =>
    ctx.deps.store.query(lanesPath(jobId), { where: [...base, { field: "index", op, value: laneIndex }], orderBy: { field: "index" }, limit: STEAL_PROBE });
  const after = await page(">");
  const docs = after.length > 0 ? after : await page("<");
  return docs.map((d) => Lane.parse(d.data));
}

/** The lane an idle lane would steal from now (a plain read of the open lanes), or undefined. */
export async function chooseVictim(ctx: BatchContext, jobId: string, laneIndex: number, pass: number): Promise<number | undefined> {
  const others = await openLanes(ctx, jobId, laneIndex, pass);
  return pickVictim(laneIndex, others)?.index;
}

/**
 * The lane a thief aims at among the open lanes it read: one of those holding at least half of the
 * largest stealable range, the thief's index deciding which. Thieves that read the same lanes (a
 * job's last open ranges) thus spread over them instead of all racing for the largest, where only
 * one can win (a busy lane is stolen from once per commit of its owner) and every other attempt
 * only adds writes and conflicts to that document.
 */
export function pickVictim(thiefIndex: number, others: Lane[]): Lane | null {
  const candidates = others.filter((l) => l.index !== thiefIndex && stealable(l)).sort((a, b) => remaining(b) - remaining(a) || a.index - b.index);
  const top = candidates[0];
  if (!top) return null;
  const eligible = candidates.filter((l) => 2 * remaining(l) >= remaining(top));
  return eligible[thiefIndex % eligible.length] ?? top;
}

/** A stand-in thief for choosing a victim from a plain read (`steal` mutates only copies). */
export function idleProbe(index: number, pass: number): Lane {
  return newLane(index, pass, [0, 0], 0);
}

/**
 * Finalizes when no lane of the pass is busy. The check is one filtered query (`busy`, limit 1),
 * so the full read of the lanes in maybeFinalize runs about once per pass, not once per idle lane.
 * The last lane to go idle always sees the others idle (their commits precede its own), so the
 * pass is still finalized by its last commit (or that commit's result trigger, or reconcile).
 */
export async function finalizeIfIdle(ctx: BatchContext, jobId: string, pass: number): Promise<void> {
  const busy = await ctx.deps.store.query(lanesPath(jobId), {
    where: [
      { field: "pass", op: "==", value: pass },
      { field: "busy", op: "==", value: true },
    ],
    limit: 1,
  });
  if (busy.length === 0) await maybeFinalize(ctx, jobId);
}
