/**
 * Batch callables: create, start, cancel, pause, resume, change concurrency, retry failed rows,
 * re-run chosen rows (optionally with an edited flow). Each one only
 * wires the caller's uid and the parsed payload to a core handler; ownership, limits (including the
 * per-owner cap on active jobs) and state rules live in the core and surface as mapped errors.
 */
import { FlowcraftError, requestRecorded, type Job } from "@flowcraft/core";
import { BATCH_CALLABLE_TIMEOUT_SECONDS } from "../config/function-options";
import { defineCallable } from "../http/define-callable";
import { CreateBatchInput, JobRef, RerunRowsInput, ResumeBatchInput, SetConcurrencyInput } from "./schemas";

const common = { timeoutSeconds: BATCH_CALLABLE_TIMEOUT_SECONDS, memory: "1GiB" } as const;

/**
 * `{name?, flow, columns, rows, concurrency?, callLimits?, start?, requestId?} → {job}`. With a requestId a retry
 * of the same submit returns the same job (started if asked and not yet), never a second job.
 */
export const createBatch = defineCallable({
  ...common,
  name: "createBatch",
  input: CreateBatchInput,
  run: async (input, { uid, deps }): Promise<{ job: Job }> => {
    // Rows count toward the caller's rows per day, once per request: a retry of a request that
    // already created its job takes nothing (its rows were counted then), and a create the core
    // refuses, or that turns out to be such a retry (two attempts racing), gives them back.
    const known = input.requestId !== undefined && (await requestRecorded(deps.store, uid, input.requestId));
    const taken = known ? null : await deps.quota.consume(uid, "rows", input.rows.length);
    const { job, replayed } = await deps.handlers.createJobOutcome({ ...input, ownerId: uid }).catch(async (err: unknown) => {
      if (err instanceof FlowcraftError && !err.retryable) await taken?.refund();
      throw err;
    });
    if (replayed) await taken?.refund();
    deps.logger.info({ jobId: job.id, uid, rows: job.totalRows, status: job.status }, "batch created");
    return { job };
  },
});

/** Starts a draft (`pending`) job: the handler fans out directly (no trigger needed). */
export const startBatch = defineCallable({
  ...common,
  name: "startBatch",
  input: JobRef,
  run: async ({ jobId }, { uid, deps }): Promise<{ job: Job }> => ({
    job: await deps.handlers.startJob({ ownerId: uid }, jobId),
  }),
});

export const cancelBatch = defineCallable({
  ...common,
  name: "cancelBatch",
  input: JobRef,
  run: async ({ jobId }, { uid, deps }): Promise<{ job: Job }> => ({
    job: await deps.handlers.cancelJob({ ownerId: uid }, jobId),
  }),
});

/** Pauses a running batch: no new row starts, rows already running finish and are counted. */
export const pauseBatch = defineCallable({
  ...common,
  name: "pauseBatch",
  input: JobRef,
  run: async ({ jobId }, { uid, deps }): Promise<{ job: Job }> => ({
    job: await deps.handlers.pauseJob({ ownerId: uid }, jobId),
  }),
});

/** Resumes a paused batch with the rows left, or a cancelled one's never-run rows as a new pass. */
export const resumeBatch = defineCallable({
  ...common,
  name: "resumeBatch",
  input: ResumeBatchInput,
  run: async ({ jobId, budgetUsd }, { uid, deps }): Promise<{ job: Job }> => ({
    job: await deps.handlers.resumeJob({ ownerId: uid }, jobId, budgetUsd !== undefined ? { budgetUsd } : {}),
  }),
});

export const setBatchConcurrency = defineCallable({
  ...common,
  name: "setBatchConcurrency",
  input: SetConcurrencyInput,
  run: async ({ jobId, concurrency }, { uid, deps }): Promise<{ job: Job }> => ({
    job: await deps.handlers.setConcurrency({ ownerId: uid }, jobId, concurrency),
  }),
});

export const retryFailedRows = defineCallable({
  ...common,
  name: "retryFailedRows",
  input: JobRef,
  run: async ({ jobId }, { uid, deps }): Promise<{ job: Job; rows: number }> =>
    deps.handlers.retryFailed({ ownerId: uid }, jobId),
});

/**
 * `{jobId, rows: "failed" | "not-run" | "all" | number[], flow?} → {job, rows}`: a new pass over
 * those rows of a finished batch; an edited flow is checked against the batch's columns, and
 * nodes whose configuration and inputs are unchanged keep their outputs.
 */
export const rerunRows = defineCallable({
  ...common,
  name: "rerunRows",
  input: RerunRowsInput,
  run: async ({ jobId, ...request }, { uid, deps }): Promise<{ job: Job; rows: number }> =>
    deps.handlers.rerunRows({ ownerId: uid }, jobId, request),
});
