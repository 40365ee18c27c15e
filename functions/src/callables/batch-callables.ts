/**
 * Batch callables: create, start, cancel, pause, resume, delete, change concurrency, retry failed
 * rows, re-run chosen rows (optionally with an edited flow), and a page of a batch's input rows. Each one only
 * wires the caller's uid and the parsed payload to a core handler; ownership, limits (including the
 * per-owner cap on active jobs) and state rules live in the core and surface as mapped errors.
 */
import { FlowcraftError, requestRecorded, type Job, type RowsPage } from "@flowcraft/core";
import { BATCH_CALLABLE_TIMEOUT_SECONDS, CREATE_CALLABLE_TIMEOUT_SECONDS } from "../config/function-options";
import { z } from "zod";
import { defineCallable } from "../http/define-callable";
import { createSource } from "./create-source";
import { CreateBatchInput, JobRef, ListRowsInput, RerunRowsInput, ResumeBatchInput, SetConcurrencyInput } from "./schemas";

const common = { timeoutSeconds: BATCH_CALLABLE_TIMEOUT_SECONDS, memory: "1GiB" } as const;

/**
 * `{name?, flow, columns, rows | uploadPath, concurrency?, callLimits?, start?, requestId?} → {job}`.
 * `uploadPath` names a CSV the caller uploaded to `uploads/{uid}/…` (create-source.ts): it is
 * parsed here as a stream, up to FIREBASE_LIMITS.maxRows rows. With a requestId a retry of the
 * same submit returns the same job (started if asked and not yet), never a second job.
 */
export const createBatch = defineCallable({
  ...common,
  timeoutSeconds: CREATE_CALLABLE_TIMEOUT_SECONDS,
  name: "createBatch",
  input: CreateBatchInput,
  run: async (input, { uid, deps }): Promise<{ job: Job }> => {
    const source = await createSource(input, uid, deps);
    // Rows count toward the caller's rows per day, once per request: a retry of a request that
    // already created its job takes nothing (its rows were counted then), and a create the core
    // refuses, or that turns out to be such a retry (two attempts racing), gives them back.
    const known = input.requestId !== undefined && (await requestRecorded(deps.store, uid, input.requestId));
    const taken = known ? null : await deps.quota.consume(uid, "rows", source.rowCount);
    const created = source.kind === "rows" ? deps.handlers.createJobOutcome(source.input) : deps.handlers.createJobFromRows(source.input);
    const { job, replayed } = await created.catch(async (err: unknown) => {
      if (err instanceof FlowcraftError && !err.retryable) await taken?.refund();
      throw err;
    });
    if (replayed) await taken?.refund();
    deps.logger.info({ jobId: job.id, uid, rows: job.totalRows, status: job.status, upload: source.kind === "upload" }, "batch created");
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

/**
 * Deletes a batch that is not running (pending or finished) with everything of it: the job, its
 * subcollections (recursiveDelete), its media (a Storage prefix delete) and its request records.
 * A processing or paused batch is `failed-precondition`: cancel it first.
 */
export const deleteBatch = defineCallable({
  ...common,
  name: "deleteBatch",
  input: JobRef,
  run: async ({ jobId }, { uid, deps }): Promise<{ id: string; deleted: true }> => {
    const { id } = await deps.handlers.deleteJob({ ownerId: uid }, jobId);
    deps.logger.info({ jobId: id, uid }, "batch deleted");
    return { id, deleted: true };
  },
});

const NoInput = z.object({}).strict();

/** `{} → {webhookSecret: {exists, createdAt, last4}}`: whether the caller has a webhook secret, never the secret. */
export const getWebhookSecret = defineCallable({
  ...common,
  name: "getWebhookSecret",
  input: NoInput,
  run: async (_input, { uid, deps }) => ({ webhookSecret: await deps.handlers.webhookSecretInfo({ ownerId: uid }) }),
});

/** `{} → {webhookSecret: {secret, createdAt}}`: creates or replaces the caller's secret; the only time it is shown. */
export const rotateWebhookSecret = defineCallable({
  ...common,
  name: "rotateWebhookSecret",
  input: NoInput,
  run: async (_input, { uid, deps }) => ({ webhookSecret: await deps.handlers.rotateWebhookSecret({ ownerId: uid }) }),
});

export const retryFailedRows = defineCallable({
  ...common,
  name: "retryFailedRows",
  input: JobRef,
  run: async ({ jobId }, { uid, deps }): Promise<{ job: Job; rows: number }> => deps.handlers.retryFailed({ ownerId: uid }, jobId),
});

/**
 * `{jobId, cursor?, limit?} → {columns, rows: [{rowIndex, cells}], nextCursor}`: the owner's input
 * cells by row index, a range read of the row chunks (the web app's inputs beside the results).
 */
export const listBatchRows = defineCallable({
  ...common,
  memory: "256MiB",
  name: "listBatchRows",
  input: ListRowsInput,
  run: async ({ jobId, cursor, limit }, { uid, deps }): Promise<RowsPage> =>
    deps.handlers.listRows({ ownerId: uid }, jobId, { cursor: cursor ?? null, ...(limit !== undefined ? { limit } : {}) }),
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
  run: async ({ jobId, ...request }, { uid, deps }): Promise<{ job: Job; rows: number }> => deps.handlers.rerunRows({ ownerId: uid }, jobId, request),
});
