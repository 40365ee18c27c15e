/**
 * createJob. Order, so that a refused create leaves nothing behind:
 *   1. validate the input, build every document it will write and run the store's data checks on
 *      them (create-plan.ts): bad input throws before any write;
 *   2. plain reads for an early answer: a request id seen before returns its job, a full owner
 *      gets `limit_exceeded` (both re-checked in step 3, which is what makes them exact);
 *   3. ONE transaction: request record, owner's active set (limit), job document, and the row
 *      chunks too when they fit one commit (always on the local host's SQLite store for uploads the
 *      HTTP API accepts). Larger creates stage the chunks first (create-staging.ts).
 * Rows are written no later than the job document, so anything triggered by the job can read them.
 */
import { RetryableError } from "../errors";
import { FIRESTORE_COMMIT_LIMITS, TransactionConflictError, type CommitLimits, type Transaction } from "../ports/store";
import type { BatchContext } from "./context";
import { readJob } from "./context";
import { planCreate, type CreatePlan } from "./create-plan";
import { abandonCreate, commitGroups, stageChunks, stagingPath, StagingMarker, type Write } from "./create-staging";
import { jobPath } from "./model";
import { acquireSlot, limitExceeded, peekActiveCount, readActive } from "./owner-slots";
import { findRequest, parseRequestId, requestPath, type RequestRecord } from "./request-ids";
import type { JobState } from "./state";
import type { BatchLimits } from "./limits";
import { validateCreateJob } from "./validate";

export { CHUNK_MAX_BYTES, CHUNK_MAX_ROWS, chunkRows } from "./create-plan";

export interface CreateOutcome {
  job: JobState;
  /** True when an earlier attempt of the same request had created the job. */
  replayed: boolean;
}

/** Share of a commit's byte limit a create may fill (request encoding adds overhead). */
export const COMMIT_BYTES_SHARE = 0.9;
/** Creates of one owner contend on its active set: allow a burst more re-runs than the default. */
const CREATE_TX_ATTEMPTS = 10;

export async function createJob(ctx: BatchContext, raw: unknown): Promise<CreateOutcome> {
  const { deps } = ctx;
  const requestId = parseRequestId(raw);
  const valid = validateCreateJob(raw, deps.limits);
  const plan = planCreate(valid, { id: deps.ids.newId(), now: deps.clock.now(), ...(requestId ? { requestId } : {}) });
  const early = await precheck(ctx, plan);
  if (early) return early;
  const limits = deps.store.commitLimits ?? FIRESTORE_COMMIT_LIMITS;
  const outcome = fitsOneCommit(plan, limits) ? await commitCreate(ctx, plan, plan.chunks, false) : await stagedCreate(ctx, plan, limits);
  if (!outcome.replayed) {
    const { job } = outcome;
    deps.logger.info({ jobId: job.id, rows: job.totalRows, chunks: plan.chunks.length, concurrency: job.concurrency }, "batch created");
  }
  return outcome;
}

/** Every check createJob makes before its first write, without a store (the CLI runs it first). */
export function checkCreateJob(raw: unknown, limits: BatchLimits): void {
  const requestId = parseRequestId(raw);
  planCreate(validateCreateJob(raw, limits), { id: "check", now: 0, ...(requestId ? { requestId } : {}) });
}

export async function precheck(ctx: BatchContext, plan: Pick<CreatePlan, "job" | "request">): Promise<CreateOutcome | null> {
  const { store, limits } = ctx.deps;
  const { ownerId } = plan.job;
  if (plan.request) {
    const jobId = await findRequest(store, { ownerId, ...plan.request });
    if (jobId) return replay(ctx, jobId);
  }
  const active = await peekActiveCount(store, ownerId);
  if (active >= limits.maxActiveJobsPerOwner) throw limitExceeded(active, limits.maxActiveJobsPerOwner);
  return null;
}

function fitsOneCommit(plan: CreatePlan, limits: CommitLimits): boolean {
  // + job, request record, owner set; the small docs get a generous 16 KB.
  const bytes = plan.chunks.reduce((n, c) => n + c.bytes, 0) + JSON.stringify(plan.job).length + 16_384;
  return plan.chunks.length + 3 <= limits.maxWrites && bytes <= limits.maxBytes * COMMIT_BYTES_SHARE;
}

export async function replay(ctx: BatchContext, jobId: string): Promise<CreateOutcome> {
  const job = await readJob(ctx.deps.store, jobId);
  // The record and the job are written in one transaction: one without the other is corruption.
  if (!job) throw new Error(`request record points at missing job ${jobId}`);
  ctx.deps.logger.info({ jobId }, "batch create replayed for a repeated request id");
  return { job, replayed: true };
}

/** Staged path: chunks first (under the new id, invisible), then the job; cleans up on failure. */
async function stagedCreate(ctx: BatchContext, plan: CreatePlan, limits: CommitLimits): Promise<CreateOutcome> {
  const jobId = plan.job.id;
  const groups = commitGroups(plan.chunks, { maxWrites: limits.maxWrites, maxBytes: limits.maxBytes * COMMIT_BYTES_SHARE });
  let outcome: CreateOutcome;
  try {
    await stageChunks(ctx, { ownerId: plan.job.ownerId, jobId, chunks: plan.chunks, groups });
    outcome = await commitCreate(ctx, plan, [], true);
  } catch (err) {
    await cleanUp(ctx, jobId);
    throw err;
  }
  if (outcome.replayed) await cleanUp(ctx, jobId);
  return outcome;
}

/** Best effort: what it cannot remove, reconcile does (create-staging.ts). */
export async function cleanUp(ctx: BatchContext, jobId: string): Promise<void> {
  await abandonCreate(ctx, jobId).catch((err: unknown) =>
    ctx.deps.logger.warn({ jobId, error: err instanceof Error ? err.message : String(err) }, "failed create left staged rows for reconcile"),
  );
}

/**
 * The one transaction that makes a job exist. `inline`: chunks written in the same commit;
 * `staged`: the others were staged first (the marker must still be live, and goes).
 */
export async function commitCreate(ctx: BatchContext, plan: Pick<CreatePlan, "job" | "request">, inline: Write[], staged: boolean): Promise<CreateOutcome> {
  const { store, limits, clock } = ctx.deps;
  const { job, request } = plan;
  const replayOf = await store
    .runTransaction(
      async (tx) => {
        const earlier = request ? await findRequest(tx, { ownerId: job.ownerId, ...request }) : null;
        if (earlier) return earlier;
        if (staged) await assertStagingLive(tx, job.id);
        const active = await readActive(tx, job.ownerId);
        acquireSlot(tx, { ownerId: job.ownerId, jobId: job.id, active, limit: limits.maxActiveJobsPerOwner, now: job.createdAt });
        for (const w of inline) tx.set(w.path, w.data);
        tx.create(jobPath(job.id), job);
        if (request) {
          const record: RequestRecord = { ownerId: job.ownerId, requestId: request.requestId, jobId: job.id, hash: request.hash, createdAt: clock.now() };
          tx.create(requestPath(job.ownerId, request.requestId), record);
        }
        if (staged) tx.delete(stagingPath(job.id));
        return null;
      },
      { maxAttempts: CREATE_TX_ATTEMPTS },
    )
    .catch((err: unknown) => {
      // Nothing was written; the client retries (with its request id, safely).
      if (err instanceof TransactionConflictError) throw new RetryableError("unavailable", "Too many batches are being created at once; please try again");
      throw err;
    });
  return replayOf ? replay(ctx, replayOf) : { job, replayed: false };
}

async function assertStagingLive(tx: Transaction, jobId: string): Promise<void> {
  const doc = await tx.get(stagingPath(jobId));
  if (!doc || StagingMarker.parse(doc.data).abandoned) {
    throw new RetryableError("unavailable", "Creating the batch took too long and was abandoned; please submit it again");
  }
}
