/**
 * The batch data model, shared by Firestore, the local store and the clients.
 *   batch_jobs/{jobId}                 Job
 *   batch_jobs/{jobId}/rows/{chunkId}  input rows, chunked (see rows.ts)
 *   batch_jobs/{jobId}/results/{rowId} RowResult, rowId = zero-padded row index ("000042")
 * Internal bookkeeping (lanes, counters, passes) lives in other subcollections and is documented in
 * core/ARCHITECTURE.md; clients need only these two shapes.
 */
import { z } from "zod";
import { ErrorInfo } from "../errors";
import { JobCallLimits } from "../governor/port";
import { JobMode } from "../economy/economy-mode";
import { EconomyProgress } from "../economy/economy-progress";

/** `paused`: no new row starts, rows in flight finish and are counted; not terminal (see ARCHITECTURE.md). */
export const JobStatus = z.enum(["pending", "processing", "paused", "completed", "failed", "cancelled"]);
export type JobStatus = z.infer<typeof JobStatus>;

/**
 * Why a job is paused: `user` asked; `budget` its spend reached the budget; `circuit` the breaker
 * saw rows fail with the same permanent cause (or the provider unreachable); `quota` the
 * provider's per-day quota is exhausted.
 */
export const PausedReason = z.enum(["user", "budget", "circuit", "quota"]);
export type PausedReason = z.infer<typeof PausedReason>;

export const UsageTotals = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  totalTokens: z.number().int().nonnegative(),
});
export type UsageTotals = z.infer<typeof UsageTotals>;

/**
 * A row whose last attempt failed with a retryable error and that waits for the task queue's next
 * attempt (so the UI can say "retrying" instead of "pending"). `attempt` is 1-based: the attempt
 * that failed. `nextAttemptAt` is the expected time of the next try (null when the host does not
 * tell the core its retry schedule).
 */
export const RowWait = z.object({
  rowIndex: z.number().int().nonnegative(),
  attempt: z.number().int().positive(),
  error: ErrorInfo,
  at: z.number(),
  nextAttemptAt: z.number().nullable(),
});
export type RowWait = z.infer<typeof RowWait>;

export const Job = z.object({
  id: z.string(),
  ownerId: z.string(),
  name: z.string(),
  status: JobStatus,
  /** True once cancel was asked for; status becomes `cancelled` when in-flight rows finish. */
  cancelRequested: z.boolean().default(false),
  /**
   * True when the creator asked to start at once. The Firebase job-created trigger starts such a
   * job if the request that created it died before starting it.
   */
  startRequested: z.boolean().default(false),
  totalRows: z.number().int().nonnegative(),
  /** Rows that succeeded. */
  completedRows: z.number().int().nonnegative(),
  failedRows: z.number().int().nonnegative(),
  /** Rows never run because the job was cancelled (set at finalize). */
  skippedRows: z.number().int().nonnegative().default(0),
  concurrency: z.number().int().positive(),
  /** `realtime` (the default) or `economy`: text steps through provider batch jobs (economy/economy-mode.ts). */
  mode: JobMode.default("realtime"),
  /** Per-job calls at once by step kind and/or model (absent = only the shared model limits). */
  callLimits: JobCallLimits.optional(),
  createdAt: z.number(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  /** Epoch ms of the last progress roll-up into this document. */
  updatedAt: z.number(),
  /** Snapshot of the flow that runs (already validated); a re-run with an edited flow replaces it. */
  flowConfig: z.object({ nodes: z.array(z.unknown()), edges: z.array(z.unknown()) }),
  /**
   * The pass that brought `flowConfig` in (absent or 0: the flow the batch was created with).
   * Passes from this one on run it; earlier passes' flows are kept in `flows/{pass}` (rerun-pass.ts).
   */
  flowPass: z.number().int().nonnegative().optional(),
  columns: z.array(z.string()),
  /** Result columns, one per output node, in flow order. */
  outputColumns: z.array(z.string()),
  usage: UsageTotals,
  /** USD spent so far (every pass), rolled up from the lanes with `usage`; priced by core/src/governor/prices.ts. */
  costUsd: z.number().nonnegative().default(0),
  /**
   * Spend cap in USD (null: none). When the spend committed plus the reserve of rows in flight
   * reaches it, no new row starts and the job pauses with reason `budget` (see budget.ts).
   */
  budgetUsd: z.number().positive().nullable().default(null),
  /** Called when the batch finishes, pauses or fails (https, or loopback on the local host); null = none. */
  webhookUrl: z.string().nullable().default(null),
  /** Retry passes started so far (0 = the first run). */
  pass: z.number().int().nonnegative().default(0),
  /** When the current pass started (startJob or retryFailed); absent before the job started. */
  passStartedAt: z.number().optional(),
  /** Rows in the current pass's work list (pass 0: totalRows; a retry pass: the failed rows). */
  passRows: z.number().int().nonnegative().optional(),
  /** Rows currently waiting for a retry, rolled up from the lanes with the counters (absent = none). */
  retrying: z.array(RowWait).optional(),
  error: ErrorInfo.nullable(),
  /** Set while `status` is `paused` (null otherwise). */
  pausedReason: PausedReason.nullable().default(null),
  /** When the job was paused (epoch ms; null when not paused). */
  pausedAt: z.number().nullable().default(null),
  /** The (scrubbed) error that made the breaker or the quota pause the job; null for a user pause. */
  pauseDetail: ErrorInfo.nullable().default(null),
  /**
   * Economy mode only: what the provider batch jobs are doing, per layer, written by the economy
   * driver when a provider job changes state (absent for realtime jobs and before the first submit).
   */
  economy: EconomyProgress.optional(),
});
export type Job = z.infer<typeof Job>;

export const RowStatus = z.enum(["succeeded", "failed", "cancelled"]);
export type RowStatus = z.infer<typeof RowStatus>;

/** A stored node output: text inline, JSON as text plus value, media as a blob reference. */
export const StoredOutput = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("text"), text: z.string() }),
  z.object({ kind: z.literal("json"), text: z.string(), value: z.unknown() }),
  z.object({ kind: z.literal("mediaRef"), mimeType: z.string(), ref: z.string(), bytes: z.number() }),
]);
export type StoredOutput = z.infer<typeof StoredOutput>;

export const NodeTraceDoc = z.object({
  status: z.enum(["succeeded", "failed", "skipped", "resumed"]),
  startedAt: z.number().optional(),
  durationMs: z.number().optional(),
  usage: UsageTotals.optional(),
  error: ErrorInfo.optional(),
  model: z.string().optional(),
});

export const RowResult = z.object({
  jobId: z.string(),
  rowIndex: z.number().int().nonnegative(),
  /** The retry pass that produced this result. */
  pass: z.number().int().nonnegative(),
  status: RowStatus,
  /** Output name → stored output. */
  outputs: z.record(z.string(), StoredOutput),
  /** Node id → stored output, for resuming a retry from the failed node. */
  nodeOutputs: z.record(z.string(), StoredOutput),
  /**
   * Node id → run hash (engine/node-hash.ts) of the output in `nodeOutputs`: a re-run keeps the
   * outputs whose hash still matches. Absent on results written before hashes existed.
   */
  nodeHashes: z.record(z.string(), z.string()).optional(),
  trace: z.record(z.string(), NodeTraceDoc),
  usage: UsageTotals,
  /** USD this row cost, summed over every attempt and pass that ran it (a retried row shows all it cost). */
  costUsd: z.number().nonnegative().default(0),
  durationMs: z.number().nonnegative(),
  attempts: z.number().int().positive(),
  startedAt: z.number(),
  finishedAt: z.number(),
  error: ErrorInfo.extend({ nodeId: z.string().optional() }).nullable(),
  /** The dispatch lane that ran the row (internal; lets the result trigger re-drive that lane). */
  lane: z.string().optional(),
});
export type RowResult = z.infer<typeof RowResult>;

export const rowId = (index: number): string => String(index).padStart(6, "0");
export const jobPath = (jobId: string): string => `batch_jobs/${jobId}`;
export const resultsPath = (jobId: string): string => `batch_jobs/${jobId}/results`;
export const resultPath = (jobId: string, index: number): string => `${resultsPath(jobId)}/${rowId(index)}`;

// What each status means and allows (isTerminal, isPassOpen, canCancel, …): statuses.ts.
