/**
 * One run of one row inside a lane's group: load its checkpoint (only when it may have one) and its
 * input, run the engine up to its deadline, store media, and cost it. Returns either the row's
 * final result (success, permanent failure, or failure on its last attempt) or what a retry needs.
 * No lane or job state is written here: the group commit (row-commit.ts) or the retry path
 * (row-retry.ts) does that.
 */
import { toErrorInfo, type ErrorInfo } from "../errors";
import { ServerWorkflowEngine } from "../engine/server-workflow-engine";
import { runCostUsd } from "../governor/run-cost";
import type { RowRun } from "../engine/types";
import type { RowTask } from "./api";
import type { BatchContext } from "./context";
import { jobFlow, loadRow } from "./context";
import { resultPath, type RowResult } from "./model";
import { buildResult, fitResult, storeOutputs } from "./row-outputs";
import { rowSpend, type AttemptBudget, type RowSpend } from "./row-retry";
import { Checkpoint, checkpointPath, type JobState } from "./state";
import { economyDriven } from "../economy/economy-driver";
import { economyRowAi, economyRunCostUsd } from "../economy/economy-row-ai";
import { DEFAULT_GOVERNOR_WAIT_MS } from "../engine/server-workflow-engine";

export type RowRunOutcome =
  | { kind: "result"; result: RowResult; spent: RowSpend; /** The result's documentSize. */ bytes: number }
  | { kind: "retry"; error: ErrorInfo; nodeOutputs: Checkpoint["nodeOutputs"]; spent: RowSpend };

export interface RowRunInput {
  /** The row's task as it would be named (its row index, pass, lane, generation, attempt base). */
  task: RowTask;
  budget: AttemptBudget;
  job: JobState;
  /** Epoch ms the engine must finish by. */
  deadline: number;
}

export async function runRow(ctx: BatchContext, r: RowRunInput): Promise<RowRunOutcome> {
  const { clock, observer, blobs } = ctx.deps;
  const { task, budget, job } = r;
  // Only a retry, a re-driven lane or a retry pass can have saved outputs: skip the read otherwise.
  const mayResume = budget.attempt > 0 || task.pass > 0 || (task.gen ?? 0) > 0;
  const cp = mayResume ? await loadCheckpoint(ctx, task) : undefined;
  const resume = cp?.nodeOutputs;
  const reuse = cp?.reuse;
  const row = await loadRow(ctx, job, task.rowIndex);
  const startedAt = clock.now();
  const ev = { jobId: task.jobId, rowIndex: task.rowIndex, pass: task.pass, attempt: budget.attempt };
  observer?.rowStarted?.({ ...ev, at: startedAt, lane: task.lane });
  const economy = economyDriven(ctx, job) ? await economyEngine(ctx, job, task, budget.last, r.deadline) : undefined;
  const run = await execute(ctx, job, row, { resume, reuse, lastAttempt: budget.last, deadline: r.deadline, ...(economy ? { engine: economy.engine } : {}) });
  const retryAfterMs = run.error?.retryAfterMs;
  observer?.rowEnded?.({ ...ev, at: clock.now(), status: run.status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  const stored = await storeOutputs(blobs, task.jobId, task.rowIndex, run);
  const flow = jobFlow(ctx, job);
  const runCost = economy ? economyRunCostUsd(flow, run.trace, economy.batched, ctx.deps.prices) : runCostUsd(flow, run.trace, ctx.deps.prices);
  const spent = rowSpend(cp, runCost);
  if (run.status === "failed" && run.error?.retryable && !budget.last) {
    return { kind: "retry", error: run.error, nodeOutputs: stored.nodeOutputs, spent };
  }
  const built = buildResult({ task, laneId: task.lane, run, stored, attempts: budget.attempt + 1, startedAt, finishedAt: clock.now(), costUsd: spent.costUsd });
  return { kind: "result", ...fitResult(built, resultPath(task.jobId, task.rowIndex)), spent };
}

async function loadCheckpoint(ctx: BatchContext, task: RowTask): Promise<Checkpoint | undefined> {
  const doc = await ctx.deps.store.get(checkpointPath(task.jobId, task.rowIndex));
  if (!doc) return undefined;
  const cp = Checkpoint.parse(doc.data);
  return cp.pass === task.pass ? cp : undefined;
}

/** Runs the engine; an unexpected throw becomes a retryable `internal` failure of the row. */
async function execute(
  ctx: BatchContext,
  job: JobState,
  row: Record<string, string>,
  o: { resume: RowRun["nodeOutputs"] | undefined; reuse?: Checkpoint["reuse"]; lastAttempt: boolean; deadline: number; engine?: ServerWorkflowEngine },
): Promise<RowRun> {
  const { clock, limits, logger } = ctx.deps;
  const { resume } = o;
  const started = clock.now();
  try {
    // On the last attempt a row waits for a permit up to its deadline rather than fail for want of one.
    const governor = {
      governorJob: { id: job.id, ...(job.callLimits ? { limits: job.callLimits } : {}) },
      ...(o.lastAttempt ? { governorMaxWaitMs: limits.rowTimeoutMs } : {}),
    };
    const opts = { flow: jobFlow(ctx, job), row, deadline: o.deadline, ...governor, ...(resume ? { resume } : {}), ...(o.reuse ? { reuse: o.reuse } : {}) };
    return await (o.engine ?? engineFor(ctx)).execute(opts);
  } catch (err) {
    logger.error({ jobId: job.id, err: err instanceof Error ? err.name : "unknown" }, "engine threw");
    const usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
    return { status: "failed", outputs: {}, nodeOutputs: resume ?? {}, trace: {}, usage, durationMs: clock.now() - started, error: toErrorInfo(err) };
  }
}

/** The engine rows run with (one per instance, held by the context): also what an estimate's dry run uses. */
export function engineFor(ctx: BatchContext): ServerWorkflowEngine {
  return ctx.engine();
}

/**
 * An economy row's engine: text calls answered from the pass's provider batch jobs
 * (economy-row-ai.ts); realtime calls take the governor's permits inside that service, so the
 * engine itself has no governor (an answered call uses no quota).
 */
async function economyEngine(ctx: BatchContext, job: JobState, task: RowTask, lastAttempt: boolean, deadline: number) {
  const { ai, clock, logger, store, limits } = ctx.deps;
  const { nodeRetry, governor, governorMaxWaitMs } = ctx.deps.engine ?? {};
  const maxWaitMs = lastAttempt ? limits.rowTimeoutMs : (governorMaxWaitMs ?? DEFAULT_GOVERNOR_WAIT_MS);
  const gjob = { id: job.id, ...(job.callLimits ? { limits: job.callLimits } : {}) };
  const rowAi = await economyRowAi({
    store,
    ai,
    clock,
    jobId: job.id,
    pass: task.pass,
    rowIndex: task.rowIndex,
    flow: jobFlow(ctx, job),
    ...(governor ? { governor: { governor, maxWaitMs, job: gjob, deadline } } : {}),
  });
  const engine = new ServerWorkflowEngine({ ai: rowAi.ai, clock, logger, ...(nodeRetry ? { nodeRetry } : {}) });
  return { engine, batched: rowAi.batched };
}
