/**
 * Opening a new pass over rows of a finished job: the shared machinery of every re-run (rerunRows,
 * and its special cases retryFailed and a cancelled job's resume). Order (each step idempotent, so
 * a crash part-way can be repeated or reconciled):
 *   1. write the pass's work list and whatever the rows resume from (`prepare`: checkpoints);
 *   2. one transaction: job terminal → processing, pass k+1, counts of the re-run rows taken out
 *      (they are counted again when they commit) and the rest kept as the pass base, lanes rebuilt
 *      for the new work list, the job back in its owner's active set (the per-owner limit applies
 *      to a new pass as to a new job), and, for an edited flow, the flow, its output columns and
 *      the pass's flow snapshot (plus the previous flow's, so every pass's flow stays readable);
 *   3. `beforeEnqueue` (delete the re-run rows' results, so "result created" fires again; a row
 *      whose old result somehow survives is overwritten by its commit, still counted once);
 *   4. enqueue the lanes' first tasks (task ids include the pass: Cloud Tasks ids are not reusable).
 */
import type { Caller } from "./api";
import { assertOwned, preconditionFailed } from "./access";
import type { BatchContext } from "./context";
import { readJob } from "./context";
import { ensureLaneTasks } from "./dispatch";
import { splitRanges, takeOwn } from "./lanes";
import { jobPath, type Job, type JobStatus } from "./model";
import { acquireSlot, limitExceeded, peekActiveCount, readActive } from "./owner-slots";
import { PASS_CHUNK_SIZE, flowSnapshotPath, lanePath, passChunkPath, type JobState, storedLane } from "./state";

const WRITES_PER_BATCH = 100;

/** A pass's flow, kept at `flows/{pass}` when a re-run changed the flow (and for the flow it replaced). */
export interface FlowSnapshot {
  pass: number;
  flowConfig: Job["flowConfig"];
  outputColumns: string[];
  at: number;
}

/** How a new pass over a finished job's rows opens. */
export interface NewPass {
  /** The work list: row indices, ascending. */
  rows: number[];
  /** The statuses the job may be in (re-checked in the opening transaction). */
  from: JobStatus[];
  /** The job's counts once the pass opens: the rows of the list no longer count. */
  counts: { completed: number; failed: number; skipped: number };
  /** A new flow for this pass and later ones (already validated against the job's columns). */
  flow?: { config: Job["flowConfig"]; outputColumns: string[] };
  /** Written before the pass opens (e.g. the rows' checkpoints), given the new pass number. */
  prepare?: (pass: number) => Promise<void>;
  /** Runs after the pass opened and before its first tasks are enqueued. */
  beforeEnqueue?: () => Promise<void>;
}

/** Steps 1 to 4 of the header; returns the job, processing in pass k+1. */
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
  const { list, counts } = o;
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
    const flow = o.flow ? { flowConfig: o.flow.config, outputColumns: o.flow.outputColumns, flowPass: pass } : {};
    if (o.flow) {
      const snap = (p: number, f: Pick<FlowSnapshot, "flowConfig" | "outputColumns">): FlowSnapshot => ({ pass: p, ...f, at: now });
      // A flow brought in by a re-run was snapshotted when it came; the creation flow is the first to be replaced.
      if ((cur.flowPass ?? 0) === 0) tx.set(flowSnapshotPath(jobId, 0), { ...snap(0, cur) });
      tx.set(flowSnapshotPath(jobId, pass), { ...snap(pass, { flowConfig: o.flow.config, outputColumns: o.flow.outputColumns }) });
    }
    const patch = {
      status: "processing" as const,
      cancelRequested: false,
      pass,
      passRows: rows,
      passList: list,
      laneCount: lanes.length,
      completedRows: counts.completed,
      failedRows: counts.failed,
      skippedRows: counts.skipped,
      base: { completed: counts.completed, failed: counts.failed, usage: cur.usage, costUsd: cur.costUsd },
      startedAt: cur.startedAt ?? now,
      finishedAt: null,
      passStartedAt: now,
      updatedAt: now,
      retrying: [],
      error: null,
      breakerBase: {},
      ...flow,
    };
    tx.update(jobPath(jobId), patch);
    for (const l of lanes) tx.set(lanePath(jobId, l.index), storedLane(l));
    return { ...cur, ...patch };
  });
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

export type BatchOp = (b: ReturnType<BatchContext["deps"]["store"]["batch"]>) => void;

export async function commitInBatches(ctx: BatchContext, ops: BatchOp[]): Promise<void> {
  for (let i = 0; i < ops.length; i += WRITES_PER_BATCH) {
    const batch = ctx.deps.store.batch();
    for (const op of ops.slice(i, i + WRITES_PER_BATCH)) op(batch);
    await batch.commit();
  }
}
