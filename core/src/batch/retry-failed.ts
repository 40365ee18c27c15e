/**
 * retryFailed: a new pass over ONLY the failed rows of a finished job, each resuming from the node
 * that failed. Order (each step idempotent, so a crash part-way can be repeated or reconciled):
 *   1. read the failed results; write the pass's work list and one checkpoint per row holding the
 *      nodes that had completed (the resume point);
 *   2. one transaction: job terminal → processing, pass k+1, failedRows reduced, counts so far kept
 *      as the pass base, lanes rebuilt for the new work list, the job back in its owner's active
 *      set (the per-owner limit applies to a retry pass as to a new job);
 *   3. delete the failed result docs (so "result created" fires again for the new results; a row
 *      whose old result somehow survives is overwritten by its commit, still counted once);
 *   4. enqueue the lanes' first tasks (task ids include the pass: Cloud Tasks ids are not reusable).
 */
import type { Caller } from "./api";
import { assertOwned, preconditionFailed } from "./access";
import type { BatchContext } from "./context";
import { readJob } from "./context";
import { ensureLaneTasks } from "./dispatch";
import { splitRanges, takeOwn } from "./lanes";
import { jobPath, resultPath, resultsPath, RowResult, type JobStatus } from "./model";
import { acquireSlot, limitExceeded, peekActiveCount, readActive } from "./owner-slots";
import { PASS_CHUNK_SIZE, checkpointPath, lanePath, passChunkPath, type JobState, storedLane } from "./state";

const PAGE = 500;
const WRITES_PER_BATCH = 100;

export async function retryFailed(ctx: BatchContext, caller: Caller, jobId: string): Promise<{ job: JobState; rows: number }> {
  const { store, logger } = ctx.deps;
  const before = assertOwned(await readJob(store, jobId), caller, jobId);
  if (before.status !== "completed" && before.status !== "failed") {
    throw preconditionFailed(`Batch ${jobId} is ${before.status}; only a finished batch can retry its failed rows`);
  }
  const failed = await failedResults(ctx, jobId);
  if (failed.length === 0) throw preconditionFailed(`Batch ${jobId} has no failed rows to retry`);
  const rows = failed.map((r) => r.rowIndex);
  const job = await runNewPass(ctx, caller, before, {
    rows,
    from: ["completed", "failed"],
    failedRows: Math.max(0, before.failedRows - rows.length),
    prepare: (pass) => writeCheckpoints(ctx, jobId, pass, failed),
    beforeEnqueue: () => deleteResults(ctx, jobId, rows),
  });
  logger.info({ jobId, pass: job.pass, rows: rows.length }, "retrying failed rows");
  return { job, rows: rows.length };
}

/** How a new pass over a finished job's rows opens (a retry of failed rows, a resume of a cancel). */
export interface NewPass {
  /** The work list: row indices, ascending. */
  rows: number[];
  /** The statuses the job may be in (re-checked in the opening transaction). */
  from: JobStatus[];
  /** The job's failed count once the pass opens (rows of the list no longer count as failed). */
  failedRows: number;
  /** Written before the pass opens (e.g. the rows' checkpoints), given the new pass number. */
  prepare?: (pass: number) => Promise<void>;
  /** Runs after the pass opened and before its first tasks are enqueued. */
  beforeEnqueue?: () => Promise<void>;
}

/** Steps 1, 2 and 4 of the header for any new pass; returns the job, processing in pass k+1. */
export async function runNewPass(ctx: BatchContext, caller: Caller, before: JobState, o: NewPass): Promise<JobState> {
  const { store } = ctx.deps;
  // A new pass makes the job active again: it counts against the owner's limit (re-checked in openPass).
  const active = await peekActiveCount(store, before.ownerId);
  if (active >= ctx.deps.limits.maxActiveJobsPerOwner) throw limitExceeded(active, ctx.deps.limits.maxActiveJobsPerOwner);
  const pass = before.pass + 1;
  const list = ctx.deps.ids.newId();
  await writeWorkList(ctx, before.id, { pass, list }, o.rows);
  await o.prepare?.(pass);
  const job = await openPass(ctx, caller, before, { ...o, list });
  await o.beforeEnqueue?.();
  const lanes = splitRanges(o.rows.length, job.laneCount, pass, job.updatedAt, list);
  lanes.forEach(takeOwn);
  await ensureLaneTasks(ctx, before.id, lanes);
  return job;
}

/** One transaction: the finished job becomes `processing` in pass k+1 with fresh lanes. */
async function openPass(ctx: BatchContext, caller: Caller, before: JobState, o: NewPass & { list: string }): Promise<JobState> {
  const { list, failedRows } = o;
  const rows = o.rows.length;
  const { store, clock } = ctx.deps;
  const jobId = before.id;
  const pass = before.pass + 1;
  return store.runTransaction(async (tx) => {
    const cur = assertOwned(await readJob(tx, jobId), caller, jobId);
    if (cur.pass !== before.pass || !o.from.includes(cur.status)) {
      throw preconditionFailed(`Batch ${jobId} changed while preparing the new pass; try again`);
    }
    const active = await readActive(tx, cur.ownerId);
    const now = clock.now();
    acquireSlot(tx, { ownerId: cur.ownerId, jobId, active, limit: ctx.deps.limits.maxActiveJobsPerOwner, now });
    const lanes = splitRanges(rows, Math.min(cur.concurrency, rows), pass, now, list);
    lanes.forEach(takeOwn);
    const patch = {
      status: "processing" as const,
      cancelRequested: false,
      pass,
      passRows: rows,
      passList: list,
      laneCount: lanes.length,
      failedRows,
      skippedRows: 0,
      base: { completed: cur.completedRows, failed: failedRows, usage: cur.usage, costUsd: cur.costUsd },
      startedAt: cur.startedAt ?? now,
      finishedAt: null,
      passStartedAt: now,
      updatedAt: now,
      retrying: [],
      error: null,
      breakerBase: {},
    };
    tx.update(jobPath(jobId), patch);
    for (const l of lanes) tx.set(lanePath(jobId, l.index), storedLane(l));
    return { ...cur, ...patch };
  });
}

async function failedResults(ctx: BatchContext, jobId: string): Promise<RowResult[]> {
  const out: RowResult[] = [];
  // Row indexes are unique, so `rowIndex >` the last one is the page's keyset: a range of the
  // (status, rowIndex) index on every host, where a document cursor may rescan from the start.
  let after = -1;
  for (;;) {
    const page = await ctx.deps.store.query(resultsPath(jobId), {
      where: [
        { field: "status", op: "==", value: "failed" },
        { field: "rowIndex", op: ">", value: after },
      ],
      orderBy: { field: "rowIndex" },
      limit: PAGE,
    });
    const rows = page.map((d) => RowResult.parse(d.data));
    out.push(...rows);
    const last = rows[rows.length - 1];
    if (rows.length < PAGE || !last) return out;
    after = last.rowIndex;
  }
}

async function writeWorkList(ctx: BatchContext, jobId: string, o: { pass: number; list: string }, rows: number[]): Promise<void> {
  const { pass, list } = o;
  const writes: BatchOp[] = [];
  for (let start = 0; start < rows.length; start += PASS_CHUNK_SIZE) {
    const chunk = { pass, start, rows: rows.slice(start, start + PASS_CHUNK_SIZE) };
    writes.push((b) => b.set(passChunkPath(jobId, pass, list, start / PASS_CHUNK_SIZE), chunk));
  }
  await commitInBatches(ctx, writes);
}

/**
 * One checkpoint per failed row: the nodes that had completed, where the retry resumes, and what
 * the row cost so far, so its new result shows everything it cost.
 */
async function writeCheckpoints(ctx: BatchContext, jobId: string, pass: number, failed: RowResult[]): Promise<void> {
  const now = ctx.deps.clock.now();
  const checkpoint = (r: RowResult) => ({ pass, nodeOutputs: r.nodeOutputs, costUsd: r.costUsd, carriedCostUsd: r.costUsd, updatedAt: now });
  await commitInBatches(ctx, failed.map((r) => (b) => b.set(checkpointPath(jobId, r.rowIndex), checkpoint(r))));
}

async function deleteResults(ctx: BatchContext, jobId: string, rows: number[]): Promise<void> {
  await commitInBatches(ctx, rows.map((i) => (b) => b.delete(resultPath(jobId, i))));
}

type BatchOp = (b: ReturnType<BatchContext["deps"]["store"]["batch"]>) => void;

async function commitInBatches(ctx: BatchContext, ops: BatchOp[]): Promise<void> {
  for (let i = 0; i < ops.length; i += WRITES_PER_BATCH) {
    const batch = ctx.deps.store.batch();
    for (const op of ops.slice(i, i + WRITES_PER_BATCH)) op(batch);
    await batch.commit();
  }
}
