/**
 * A lane's group: the task of a busy lane runs `current` and then, while its rows are short, the
 * next positions of its own range (`next, next+1, ...`), one row after another, and commits them
 * in ONE transaction (row-commit.ts). Short rows thus cost the lane document one write per
 * GROUP_TARGET_MS instead of one per row; a row as long as the target is a group of one. The lane
 * never runs two rows at once (the rows of a group are sequential in one task), and the further
 * positions are not reserved: they stay in the lane's range, stealable, until the commit.
 *
 * Before each row after the first, the group reads the job and the lane (one read of two
 * documents, `readJobAndLane`: a store that keeps parsed documents parses them again only when
 * they changed) and goes on only when:
 *   - the job is running this pass and the lane may run (no pause, cancel, finish, or concurrency
 *     below the lane): so no row starts after a pause or cancel is read, as for a single row;
 *   - the lane still has this task's position and generation, and the next position is in the
 *     lower half of its range, which no steal can take (lanes.ts `inLowerHalf`);
 *   - one more row at the group's mean row time still ends within GROUP_TARGET_MS, the group holds
 *     fewer than MAX_GROUP_ROWS rows, and its results stay well under the store's commit size;
 *   - the job has no budget (a budget's bound counts one row in flight per lane: see budget.ts).
 * A row that fails retryably ends the group (it becomes the lane's next position, waiting for a
 * re-enqueued retry recorded in the same commit), and so does a row whose error the circuit
 * breaker counts. Each row after the first gets the task's deadline (its start + rowTimeoutMs),
 * so a group's task ends within the row timeout, like a single row's.
 */
import type { TaskContext } from "../ports/task-queue";
import type { ErrorInfo } from "../errors";
import type { RowTask } from "./api";
import type { BatchContext } from "./context";
import { jobFlow, readJobAndLane, rowAt } from "./context";
import { breakerKey, checkBreaker } from "./breaker";
import { ensureLaneTask } from "./dispatch";
import { GROUP_TARGET_MS, MAX_GROUP_ROWS, inLowerHalf, laneMayRun } from "./lanes";
import type { RowResult } from "./model";
import { chooseVictim, commitRows, finalizeIfIdle, stealWork, type CommitOutcome, type CommittedRow, type GroupRetry } from "./row-commit";
import { MAX_RESULT_BYTES } from "./row-outputs";
import { afterRetryRecorded, attemptBudget, passSpendUsd, pendingRetry, retryLater, saveCheckpoint, type AttemptBudget } from "./row-retry";
import { runRow, type RowRunOutcome } from "./row-run";
import type { JobState, Lane } from "./state";

/** A row after the first that fails retryably without a provider delay retries after this. */
export const GROUP_RETRY_DELAY_MS = 1_000;

export interface GroupInput {
  /** The delivered task: it names the group's first row. */
  task: RowTask;
  tctx: TaskContext;
  /** The first row's attempt budget (the rows after it are on their first attempt). */
  budget: AttemptBudget;
  job: JobState;
  /** The lane as the task's check read it: busy with `current`. */
  lane: Lane;
}

interface GroupState {
  startedAt: number;
  rows: CommittedRow[];
  bytes: number;
  /** The lane as last read (its `end` only shrinks): which positions the group may run next. */
  lane: Lane;
  /** The job as last read: whether the lane may go on after the commit. */
  job: JobState;
  retryNext?: { retry: GroupRetry; error: ErrorInfo; waitMs: number };
}

export async function runGroup(ctx: BatchContext, g: GroupInput): Promise<void> {
  const { clock, limits } = ctx.deps;
  const { task, lane } = g;
  const pos = lane.current as number;
  const st: GroupState = { startedAt: clock.now(), rows: [], bytes: 0, lane, job: g.job };
  let job = g.job;
  for (let p = pos; ; p++) {
    const first = p === pos;
    if (!first) {
      const still = await mayGoOn(ctx, g, st, p);
      if (!still) break;
      job = st.job = still;
    }
    const rowTask = first ? task : { ...task, rowIndex: await rowAt(ctx, task.jobId, lane, p), attempt: 0 };
    const budget = first ? g.budget : attemptBudget(rowTask, { ...g.tctx, retryCount: 0, isLastAttempt: false });
    const deadline = (first ? clock.now() : st.startedAt) + limits.rowTimeoutMs;
    const out = await runRow(ctx, { task: rowTask, budget, job, deadline });
    if (out.kind === "retry") {
      // The group's own first row: the queue's retry (or a re-enqueue) of this very task.
      if (first)
        return retryLater(ctx, { task, tctx: g.tctx, laneIndex: lane.index, pos, budget, error: out.error, nodeOutputs: out.nodeOutputs, spent: out.spent });
      st.retryNext = await retryInNextGroup(ctx, rowTask, budget, out);
      break;
    }
    st.rows.push({ result: out.result, passSpendUsd: passSpendUsd(out.spent) });
    st.bytes += out.bytes;
    if (out.result.error && countsForBreaker(ctx, job, out.result.error)) break;
  }
  await finish(ctx, g, st);
}

/** The job as read before position `p` (a further row of the group), or null when the group stops. */
async function mayGoOn(ctx: BatchContext, g: GroupInput, st: GroupState, p: number): Promise<JobState | null> {
  const { clock, store, limits } = ctx.deps;
  const targetMs = limits.groupTargetMs ?? GROUP_TARGET_MS;
  // Stop when the next row would likely end past the target (at the group's mean row time so
  // far), or when the range as last read has no position left (its end only shrinks), so a long
  // or lone row costs no extra read. Which positions the group may run is decided on the fresh
  // read below (`inLowerHalf`: the lower half, or the whole range once it is too short to steal).
  const elapsed = clock.now() - st.startedAt;
  const fits = elapsed + elapsed / Math.max(1, st.rows.length) <= targetMs;
  if (targetMs <= 0 || g.job.budgetUsd !== null || st.rows.length >= MAX_GROUP_ROWS || !fits || p >= st.lane.end) return null;
  const maxBytes = (store.commitLimits?.maxBytes ?? 10 * 1024 * 1024) / 2;
  if (st.bytes + MAX_RESULT_BYTES > maxBytes) return null;
  const read = await readJobAndLane(store, g.task.jobId, g.lane.index);
  if (!read) return null;
  const { job, lane } = read;
  if (job.pass !== g.task.pass || !laneMayRun(lane, job)) return null;
  const same = lane.pass === g.lane.pass && lane.gen === g.lane.gen && lane.current === g.lane.current && lane.attemptBase === g.lane.attemptBase;
  if (!same) return null;
  st.lane = lane;
  return inLowerHalf(lane, p) ? job : null;
}

/** A row whose cause the circuit breaker counts ends its group, so the breaker sees it at once. */
function countsForBreaker(ctx: BatchContext, job: JobState, error: ErrorInfo & { nodeId?: string }): boolean {
  return error.code === "unavailable" || breakerKey(error, jobFlow(ctx, job)) !== null;
}

/**
 * A row after the group's first failed retryably: it cannot use the queue's retry (the queue
 * retries the group's first row's task), so its next attempt is a re-enqueued task (`attempt` 1),
 * due after the provider's delay or GROUP_RETRY_DELAY_MS. Its checkpoint is saved first; the lane
 * records the wait in the group's commit, so no task for the row exists before that commit.
 */
async function retryInNextGroup(
  ctx: BatchContext,
  task: RowTask,
  budget: AttemptBudget,
  out: Extract<RowRunOutcome, { kind: "retry" }>,
): Promise<NonNullable<GroupState["retryNext"]>> {
  const waitMs = out.error.retryAfterMs ?? GROUP_RETRY_DELAY_MS;
  const retry = pendingRetry(ctx, { task, budget, error: out.error }, true, waitMs);
  await saveCheckpoint(ctx, task, { nodeOutputs: out.nodeOutputs, ...out.spent }, retry);
  return { retry: { retry, attemptBase: budget.attempt + 1, unreachable: out.error.code === "unavailable" }, error: out.error, waitMs };
}

/** Commits the group, then tells the observer, checks the breaker and keeps the lane going. */
async function finish(ctx: BatchContext, g: GroupInput, st: GroupState): Promise<void> {
  const { logger, observer } = ctx.deps;
  const { task, lane } = g;
  const out = await commitOrRecordFailure(ctx, g, st);
  for (const e of out.breakerErrors ?? []) await checkBreaker(ctx, task.jobId, e);
  if (out.committed) {
    for (const { result } of out.rows) {
      logger.info({ jobId: task.jobId, row: result.rowIndex, status: result.status, durationMs: result.durationMs }, "row finished");
      observer?.rowCounted?.({ jobId: task.jobId, rowIndex: result.rowIndex, pass: task.pass, status: result.status });
    }
  }
  if (!out.lane) return;
  const waiting = st.retryNext;
  if (out.committed && waiting && out.lane.current !== null && out.lane.retry?.rowIndex === waiting.retry.retry.rowIndex) {
    await afterRetryRecorded(ctx, { jobId: task.jobId, lane: out.lane, error: waiting.error, reenqueue: true, waitMs: waiting.waitMs });
    return;
  }
  // A lane whose probe just before the commit found nothing to steal does not probe again at once
  // (its result trigger does, a little later).
  const steals = out.lane.current === null && out.mayRun && out.probedDry !== true;
  const next = steals ? ((await stealWork(ctx, task.jobId, lane.index, task.pass)) ?? out.lane) : out.lane;
  if (next.current !== null) await ensureLaneTask(ctx, task.jobId, next);
  else await finalizeIfIdle(ctx, task.jobId, task.pass);
}

/**
 * When this commit will leave the lane's own range empty (and the lane may go on), the lane it
 * would then steal from, chosen from a plain read of the open lanes: the commit steals in its own
 * transaction; null when that read found no lane to steal from. Undefined when the commit will
 * not empty the range (the commit re-checks everything it relies on).
 */
async function victimIfDry(ctx: BatchContext, g: GroupInput, st: GroupState): Promise<number | null | undefined> {
  const pos = g.lane.current as number;
  if (st.retryNext || pos + st.rows.length < st.lane.end || !laneMayRun(g.lane, st.job) || st.job.pass !== g.task.pass) return undefined;
  return (await chooseVictim(ctx, g.task.jobId, g.lane.index, g.task.pass)) ?? null;
}

/**
 * Commits the group's rows. If even that fails on the first row's last attempt (data the store
 * rejects), commits the first row alone as a bare failed result instead, so it is counted and its
 * lane moves on (the other rows stay in the lane's range and run again).
 */
async function commitOrRecordFailure(ctx: BatchContext, g: GroupInput, st: GroupState): Promise<CommitOutcome> {
  const base = { task: g.task, laneIndex: g.lane.index, position: g.lane.current as number };
  const victim = await victimIfDry(ctx, g, st);
  try {
    const out = await commitRows(ctx, {
      ...base,
      rows: st.rows,
      ...(st.retryNext ? { retryNext: st.retryNext.retry } : {}),
      ...(typeof victim === "number" ? { victim } : {}),
    });
    return victim === null ? { ...out, probedDry: true } : out;
  } catch (err) {
    const head = st.rows[0];
    if (!g.budget.last || !head) throw err;
    ctx.deps.logger.error({ jobId: g.task.jobId, row: g.task.rowIndex, err: err instanceof Error ? err.name : "unknown" }, "result not storable");
    const error = { code: "internal" as const, message: "The row's result could not be stored", retryable: false };
    const bare: RowResult = { ...head.result, status: "failed", outputs: {}, nodeOutputs: {}, trace: {}, error };
    st.rows = [{ ...head, result: bare }];
    delete st.retryNext;
    return commitRows(ctx, { ...base, rows: st.rows });
  }
}
