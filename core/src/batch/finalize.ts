/**
 * Lane totals and finalization of the job document (the throttled roll-up is in roll-up.ts).
 * - Finalize: when every lane of the pass is idle and nothing is left (or cancel was asked), one
 *   transaction guarded by an open pass (`processing`, or `paused`: a job paused when its last rows
 *   were already in flight finishes as usual once they commit) writes the EXACT counts and the
 *   terminal status.
 *   The guard makes the terminal transition happen exactly once per pass; the same transaction
 *   takes the job out of its owner's active set (owner-slots.ts) and records the webhook event
 *   (webhooks/webhook-outbox.ts).
 */
import { addUsage, ZERO_USAGE } from "../ai/port";
import type { ErrorInfo } from "../errors";
import { addUsd } from "../governor/run-cost";
import type { Patch, Transaction } from "../ports/store";
import type { BatchContext } from "./context";
import { readJob, readLanes } from "./context";
import { passFinished } from "./lanes";
import { jobPath, type JobStatus, type UsageTotals } from "./model";
import { isCancelled, isFailed, isPassOpen, isPaused } from "./statuses";
import { releaseSlot } from "./owner-slots";
import type { JobState, Lane } from "./state";
import { recordWebhookEvent } from "../webhooks/webhook-outbox";

interface Totals {
  completed: number;
  failed: number;
  usage: UsageTotals;
  costUsd: number;
}

export function laneTotals(job: JobState, lanes: Lane[]): Totals {
  let usage: UsageTotals = { ...job.base.usage };
  let completed = job.base.completed;
  let failed = job.base.failed;
  let costUsd = job.base.costUsd;
  for (const l of lanes) {
    completed += l.succeeded;
    failed += l.failed;
    usage = addUsage(usage, l.usage);
    costUsd = addUsd(costUsd, l.costUsd);
  }
  return { completed, failed, usage, costUsd };
}

/** Finalizes the job when its pass is over. Returns the terminal status if THIS call made the transition. */
export async function maybeFinalize(ctx: BatchContext, jobId: string): Promise<JobStatus | null> {
  const { store, clock } = ctx.deps;
  const status = await store.runTransaction(async (tx) => {
    const job = await readJob(tx, jobId);
    if (!job || !isPassOpen(job.status)) return null;
    // An economy pass whose text layers still run has no lanes yet: it is not over.
    if (job.layersPass === job.pass) return null;
    const lanes = await readLanes(tx, jobId, job.pass);
    if (!passFinished(lanes, job.cancelRequested)) {
      if (isPaused(job.status)) settlePaused(tx, job, lanes, clock.now());
      return null;
    }
    const totals = laneTotals(job, lanes);
    const final = finalStatus(job, totals);
    const now = clock.now();
    const patch: Patch = {
      status: final,
      completedRows: totals.completed,
      failedRows: totals.failed,
      skippedRows: isCancelled(final) ? job.totalRows - totals.completed - totals.failed : 0,
      usage: totals.usage,
      costUsd: totals.costUsd,
      finishedAt: now,
      updatedAt: now,
      error: isFailed(final) ? allFailedError(lanes) : null,
      retrying: [],
      pausedReason: null,
      pausedAt: null,
      pauseDetail: null,
    };
    tx.update(jobPath(jobId), patch);
    releaseSlot(tx, job);
    recordWebhookEvent(tx, { ...job, ...patch }, now);
    return final;
  });
  if (status) {
    ctx.deps.logger.info({ jobId, status }, "batch finished");
    ctx.deps.observer?.jobFinished?.({ jobId, status, at: clock.now() });
  }
  return status;
}

/**
 * A paused job whose rows in flight have all committed shows its exact counts at once (the
 * throttled roll-up could leave them a window behind while nothing else moves).
 */
function settlePaused(tx: Transaction, job: JobState, lanes: Lane[], now: number): void {
  if (lanes.some((l) => l.current !== null)) return;
  const t = laneTotals(job, lanes);
  if (t.completed === job.completedRows && t.failed === job.failedRows && (job.retrying ?? []).length === 0) return;
  tx.update(jobPath(job.id), { completedRows: t.completed, failedRows: t.failed, usage: t.usage, retrying: [], updatedAt: now });
}

/**
 * `cancelled` after a cancel, or when rows that never ran remain (a re-run of a cancelled job over
 * some of its rows: `skippedRows` carried into the pass); `failed` when not a single row has ever succeeded (the job produced
 * nothing: typically a bad key, quota or flow problem that every row hit); otherwise `completed`,
 * even with failed rows (failedRows says how many, and retryFailed can re-run them).
 */
export function finalStatus(job: JobState, totals: Totals): JobStatus {
  if (job.cancelRequested || job.skippedRows > 0) return "cancelled";
  if (totals.completed === 0 && totals.failed > 0) return "failed";
  return "completed";
}

function allFailedError(lanes: Lane[]): ErrorInfo {
  const first = lanes.find((l) => l.lastError !== null)?.lastError;
  return {
    code: first?.code ?? "internal",
    message: `Every row failed${first ? `; for example: ${first.message}` : ""}`,
    retryable: first?.retryable ?? false,
  };
}

export const EMPTY_TOTALS: Totals = { completed: 0, failed: 0, usage: ZERO_USAGE, costUsd: 0 };
