/**
 * Progress roll-up of the job document: lanes hold the per-pass counters (shards) and the rows
 * waiting for a retry; the job doc gets their sum at most once per `rollUpIntervalMs`, guarded by
 * `updatedAt` read inside the transaction, so it stays far below Firestore's ~1 write/s per document
 * whatever the concurrency.
 *
 * A throttled roll-up is not dropped: it schedules ONE trailing roll-up task through the task queue
 * (delayed to the end of the interval; Cloud Tasks' scheduleDelaySeconds, the local queue's runAt),
 * so the counters trail the lanes by at most about one interval even when results pause (a 429
 * back-off) or a burst ends. The task id names the job, pass and due time: every trigger throttled
 * in the same window asks for the same task, and the queue answers "exists".
 */
import type { TaskContext } from "../ports/task-queue";
import type { RollUpTask } from "./api";
import type { BatchContext } from "./context";
import { readJob, readLanes } from "./context";
import { laneTotals } from "./finalize";
import { jobPath, type RowWait } from "./model";
import { isPassOpen } from "./statuses";
import type { JobState, Lane } from "./state";

export function isRollUpTask(t: unknown): t is RollUpTask {
  const v = t as Partial<RollUpTask> | null;
  return typeof v === "object" && v !== null && v.kind === "rollup" && typeof v.jobId === "string";
}

export const rollUpTaskId = (t: RollUpTask): string => `rollup-${t.jobId}-p${t.pass}-t${t.dueAt}`;

/** Rows whose lane holds them in flight after a retryable failure, in row order (public view of `Lane.retry`). */
export function laneWaits(lanes: Lane[]): RowWait[] {
  const waits: RowWait[] = [];
  for (const l of lanes) {
    const r = l.retry;
    if (l.current === null || r === null) continue;
    waits.push({ rowIndex: r.rowIndex, attempt: Math.max(1, r.attempt - 1), error: r.lastError, at: r.at ?? l.updatedAt, nextAttemptAt: r.nextTryAt });
  }
  return waits.sort((a, b) => a.rowIndex - b.rowIndex);
}

interface Summary {
  completed: number;
  failed: number;
  costUsd: number;
  retrying: RowWait[];
}

function summarize(job: JobState, lanes: Lane[]) {
  return { ...laneTotals(job, lanes), retrying: laneWaits(lanes) };
}

const sameWaits = (a: RowWait[], b: RowWait[]): boolean => JSON.stringify(a) === JSON.stringify(b);
const upToDate = (job: JobState, s: Summary): boolean =>
  job.completedRows === s.completed && job.failedRows === s.failed && job.costUsd === s.costUsd && sameWaits(job.retrying ?? [], s.retrying);

type Outcome = "written" | "throttled" | "skipped";

/**
 * Writes a roll-up unless the last one is younger than the interval. The lanes are read outside
 * the transaction (reading them inside would conflict with every lane commit at high concurrency);
 * the transaction reads only the job doc, re-checks the interval and never lets the shown progress
 * go backwards. Exact counts come from `maybeFinalize`.
 */
async function writeRollUp(ctx: BatchContext, jobId: string, peek: JobState, lanes: Lane[]): Promise<Outcome> {
  const { store, clock } = ctx.deps;
  const s = summarize(peek, lanes);
  return store.runTransaction(async (tx) => {
    const job = await readJob(tx, jobId);
    const now = clock.now();
    if (!job || !isPassOpen(job.status) || job.pass !== peek.pass) return "skipped";
    if (now - job.updatedAt < ctx.rollUpIntervalMs) return "throttled";
    if (s.completed + s.failed < job.completedRows + job.failedRows) return "skipped";
    tx.update(jobPath(jobId), { completedRows: s.completed, failedRows: s.failed, usage: s.usage, costUsd: s.costUsd, retrying: s.retrying, updatedAt: now });
    return "written";
  });
}

/**
 * Called when lane data changed (a result arrived, a row started waiting for a retry): rolls up now
 * if the interval allows, else makes sure a trailing roll-up is scheduled. Returns true if written.
 */
export async function rollUp(ctx: BatchContext, jobId: string, seen?: JobState): Promise<boolean> {
  const { store, clock } = ctx.deps;
  const peek = seen ?? (await readJob(store, jobId));
  if (!peek || !isPassOpen(peek.status)) return false;
  if (clock.now() - peek.updatedAt < ctx.rollUpIntervalMs) {
    await scheduleTrailing(ctx, peek);
    return false;
  }
  // One attempt per interval per instance: triggers racing for the same window share it.
  const key = `rollup:${jobId}`;
  const last = ctx.cache.get<number>(key);
  if (last !== undefined && clock.now() - last < ctx.rollUpIntervalMs) {
    await scheduleTrailing(ctx, peek, last + ctx.rollUpIntervalMs);
    return false;
  }
  ctx.cache.set(key, clock.now());
  const outcome = await writeRollUp(ctx, jobId, peek, await readLanes(store, jobId, peek.pass));
  if (outcome === "throttled") await scheduleTrailing(ctx, (await readJob(store, jobId)) ?? peek);
  return outcome === "written";
}

/**
 * Asks for the roll-up of the window `now` falls in, without reading anything: the task is due at
 * the window's end (windows of `rollUpIntervalMs`, aligned to the clock) and named by it, so every
 * result of a window asks for the same task and the lanes are read once per window, not per row.
 */
export async function requestRollUp(ctx: BatchContext, jobId: string, pass: number): Promise<void> {
  const { clock, queue } = ctx.deps;
  const now = clock.now();
  const dueAt = (Math.floor(now / ctx.rollUpIntervalMs) + 1) * ctx.rollUpIntervalMs;
  const key = `trailing:${jobId}`;
  if (ctx.cache.get<number>(key) === dueAt) return;
  const task: RollUpTask = { kind: "rollup", jobId, pass, dueAt };
  await queue.enqueue({ id: rollUpTaskId(task), payload: task, delayMs: dueAt - now });
  ctx.cache.set(key, dueAt);
}

/** Enqueues the trailing roll-up for the end of the job's current throttle window (once per window). */
async function scheduleTrailing(ctx: BatchContext, job: JobState, notBefore = 0): Promise<void> {
  if (!isPassOpen(job.status)) return;
  const { clock, queue } = ctx.deps;
  const dueAt = Math.max(job.updatedAt + ctx.rollUpIntervalMs, notBefore);
  const key = `trailing:${job.id}`;
  if (ctx.cache.get<number>(key) === dueAt) return;
  const task: RollUpTask = { kind: "rollup", jobId: job.id, pass: job.pass, dueAt };
  await queue.enqueue({ id: rollUpTaskId(task), payload: task, delayMs: Math.max(0, dueAt - clock.now()) });
  ctx.cache.set(key, dueAt);
}

/**
 * The trailing roll-up task. Writes when the lanes show something the job doc does not; when the
 * window is still closed (another roll-up wrote meanwhile), schedules the next window's task.
 * Stops once the job doc is up to date or the pass is over, so the chain always ends.
 */
export async function runRollUpTask(ctx: BatchContext, task: RollUpTask, tctx: TaskContext): Promise<void> {
  const { store, logger } = ctx.deps;
  const job = await readJob(store, task.jobId);
  if (!job || !isPassOpen(job.status) || job.pass !== task.pass) return;
  if (ctx.deps.clock.now() - job.updatedAt < ctx.rollUpIntervalMs) {
    // The window is still closed: ask for its end without reading the lanes (one read per window).
    await scheduleTrailing(ctx, job);
    return;
  }
  const lanes = await readLanes(store, task.jobId, job.pass);
  if (upToDate(job, summarize(job, lanes))) return;
  const outcome = await writeRollUp(ctx, task.jobId, job, lanes);
  if (outcome === "throttled") {
    // A queue that ran the task early (the Cloud Tasks emulator ignores delays) asks for the same
    // id again and gets "exists": the next result or retry reschedules it.
    await scheduleTrailing(ctx, (await readJob(store, task.jobId)) ?? job);
  }
  logger.debug({ jobId: task.jobId, outcome, taskId: tctx.taskId }, "trailing roll-up");
}
