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
import { jobPath, resultPath, resultsPath, RowResult } from "./model";
import { acquireSlot, limitExceeded, peekActiveCount, readActive } from "./owner-slots";
import { PASS_CHUNK_SIZE, checkpointPath, lanePath, passChunkPath, type JobState } from "./state";
import type { Doc } from "../ports/store";

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
  // A retry pass makes the job active again: it counts against the owner's limit (re-checked in openPass).
  const active = await peekActiveCount(store, before.ownerId);
  if (active >= ctx.deps.limits.maxActiveJobsPerOwner) throw limitExceeded(active, ctx.deps.limits.maxActiveJobsPerOwner);
  const pass = before.pass + 1;
  const list = ctx.deps.ids.newId();
  await writePassInputs(ctx, jobId, { pass, list }, failed);
  const job = await openPass(ctx, caller, before, { rows: failed.length, list });
  await deleteResults(ctx, jobId, failed.map((r) => r.rowIndex));
  const lanes = splitRanges(failed.length, job.laneCount, pass, job.updatedAt, list);
  lanes.forEach(takeOwn);
  await ensureLaneTasks(ctx, jobId, lanes);
  logger.info({ jobId, pass, rows: failed.length }, "retrying failed rows");
  return { job, rows: failed.length };
}

/** One transaction: the finished job becomes `processing` in pass k+1 with fresh lanes. */
async function openPass(ctx: BatchContext, caller: Caller, before: JobState, o: { rows: number; list: string }): Promise<JobState> {
  const { rows, list } = o;
  const { store, clock } = ctx.deps;
  const jobId = before.id;
  const pass = before.pass + 1;
  return store.runTransaction(async (tx) => {
    const cur = assertOwned(await readJob(tx, jobId), caller, jobId);
    if (cur.pass !== before.pass || (cur.status !== "completed" && cur.status !== "failed")) {
      throw preconditionFailed(`Batch ${jobId} changed while preparing the retry; try again`);
    }
    const active = await readActive(tx, cur.ownerId);
    const now = clock.now();
    acquireSlot(tx, { ownerId: cur.ownerId, jobId, active, limit: ctx.deps.limits.maxActiveJobsPerOwner, now });
    const lanes = splitRanges(rows, Math.min(cur.concurrency, rows), pass, now, list);
    lanes.forEach(takeOwn);
    const failedRows = Math.max(0, cur.failedRows - rows);
    const patch = {
      status: "processing" as const,
      pass,
      passRows: rows,
      passList: list,
      laneCount: lanes.length,
      failedRows,
      base: { completed: cur.completedRows, failed: failedRows, usage: cur.usage, costUsd: cur.costUsd },
      finishedAt: null,
      passStartedAt: now,
      updatedAt: now,
      retrying: [],
      error: null,
    };
    tx.update(jobPath(jobId), patch);
    for (const l of lanes) tx.set(lanePath(jobId, l.index), l);
    return { ...cur, ...patch };
  });
}

async function failedResults(ctx: BatchContext, jobId: string): Promise<RowResult[]> {
  const out: RowResult[] = [];
  let after: Doc | undefined;
  for (;;) {
    const page = await ctx.deps.store.query(resultsPath(jobId), {
      where: [{ field: "status", op: "==", value: "failed" }],
      orderBy: { field: "rowIndex" },
      limit: PAGE,
      ...(after ? { startAfter: after } : {}),
    });
    out.push(...page.map((d) => RowResult.parse(d.data)));
    if (page.length < PAGE) return out;
    after = page[page.length - 1];
  }
}

async function writePassInputs(ctx: BatchContext, jobId: string, o: { pass: number; list: string }, failed: RowResult[]): Promise<void> {
  const { pass, list } = o;
  const now = ctx.deps.clock.now();
  const writes: [string, Record<string, unknown>][] = [];
  for (let start = 0; start < failed.length; start += PASS_CHUNK_SIZE) {
    const rows = failed.slice(start, start + PASS_CHUNK_SIZE).map((r) => r.rowIndex);
    writes.push([passChunkPath(jobId, pass, list, start / PASS_CHUNK_SIZE), { pass, start, rows }]);
  }
  // The row's cost so far travels with its resume point, so the new result shows all it cost.
  for (const r of failed) {
    writes.push([checkpointPath(jobId, r.rowIndex), { pass, nodeOutputs: r.nodeOutputs, costUsd: r.costUsd, carriedCostUsd: r.costUsd, updatedAt: now }]);
  }
  await commitInBatches(ctx, writes.map(([path, data]) => (b) => b.set(path, data)));
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
