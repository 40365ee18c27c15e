/**
 * Internal batch bookkeeping documents (clients never read these) and their paths:
 *   batch_jobs/{jobId}                       Job + JobState fields below (one doc)
 *   batch_jobs/{jobId}/rows/{chunk}          RowsChunk: input rows [start, start + rows.length)
 *   batch_jobs/{jobId}/lanes/{laneId}        Lane: one dispatch chain (see ARCHITECTURE.md)
 *   batch_jobs/{jobId}/passes/{pass}-{list}-{n}  PassChunk: a retry pass's work list (row indices)
 *   batch_jobs/{jobId}/claims/{key}          Claim: one delivery attempt of one row task
 *   batch_jobs/{jobId}/checkpoints/{rowId}   Checkpoint: node outputs a later attempt resumes from
 */
import { z } from "zod";
import { ErrorInfo } from "../errors";
import { Job, StoredOutput, UsageTotals, jobPath, rowId } from "./model";

export const PassBase = z.object({
  completed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  usage: UsageTotals,
  costUsd: z.number().nonnegative().default(0),
});
export type PassBase = z.infer<typeof PassBase>;

/** The job document as the handlers see it: the public Job plus internal fields. */
export const JobState = Job.extend({
  /** First row index of each input chunk, ascending (chunk n holds rows [starts[n], starts[n+1])). */
  rowChunkStarts: z.array(z.number().int().nonnegative()),
  /** Length of the current pass's work list (pass 0: totalRows). */
  passRows: z.number().int().nonnegative(),
  /** Counts carried into the current pass from earlier passes (lanes count only this pass). */
  base: PassBase,
  /** Lanes created for the current pass (indices 0..laneCount-1). */
  laneCount: z.number().int().nonnegative(),
  /** Id of the current retry pass's work list (its `passes/` docs); "" for pass 0. */
  passList: z.string().default(""),
  /** The circuit breaker's counts per cause at its last pause (breaker.ts); absent = none. */
  breakerBase: z.record(z.string(), z.number().int().nonnegative()).optional(),
  /** When the job was last resumed from a pause (the breaker's outage clock restarts there). */
  resumedAt: z.number().optional(),
  /**
   * Economy mode: the pass whose text layers are running through provider batch jobs. Its lanes
   * open when the last layer settles (economy/economy-driver.ts); until then the pass has no
   * lanes and does not finalize. Null or absent: the lanes run the pass.
   */
  layersPass: z.number().int().nonnegative().nullable().optional(),
});
export type JobState = z.infer<typeof JobState>;

/**
 * A row of the lane waiting for its next attempt after a retryable failure: what the UI shows as
 * "retrying: last error, attempt N, next try at T". Cleared when the row commits or the lane stops.
 */
export const RowRetry = z.object({
  rowIndex: z.number().int().nonnegative(),
  /** The attempt that runs next, 1-based (the first retry is attempt 2). */
  attempt: z.number().int().positive(),
  /** The row's attempt budget: after attempt `maxAttempts` it is recorded failed (null: unbounded). */
  maxAttempts: z.number().int().positive().nullable(),
  /** Epoch ms of the next try (null when the queue did not say when it retries). */
  nextTryAt: z.number().nullable(),
  lastError: ErrorInfo,
  /** When the failure was recorded (epoch ms). */
  at: z.number().optional(),
  /**
   * True when the next attempt is a re-enqueued task due at `nextTryAt` (the provider's delay);
   * false when it is the queue's own retry with its backoff.
   */
  reenqueued: z.boolean(),
});
export type RowRetry = z.infer<typeof RowRetry>;

export const Lane = z.object({
  index: z.number().int().nonnegative(),
  pass: z.number().int().nonnegative(),
  /** The work list the positions index: "" = every row (pass 0), else a retry pass's list id. */
  list: z.string().default(""),
  /** Bumped when reconcile re-drives the lane, so the new task gets a fresh id. */
  gen: z.number().int().nonnegative(),
  /** Work-list position in flight, or null when the lane is idle. */
  current: z.number().int().nonnegative().nullable(),
  /** Remaining range [next, end) of work-list positions, stealable by other lanes. */
  next: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  succeeded: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  usage: UsageTotals,
  /** USD of this pass's attempts of the rows the lane committed (a row's earlier passes are in the job's base). */
  costUsd: z.number().nonnegative().default(0),
  lastError: ErrorInfo.nullable(),
  /**
   * Attempts the current row used before its queued task (the task payload's `attempt`): raised
   * when a retry is re-enqueued as a new task, so ensureLaneTask names that task. 0 for a new row.
   */
  attemptBase: z.number().int().nonnegative().default(0),
  /** The current row's pending retry, if it is waiting for one. */
  retry: RowRetry.nullable().default(null),
  /** Rows of this lane (this pass) whose final error was a circuit-breaker cause, per cause (breaker.ts). */
  breaker: z.record(z.string(), z.object({ rows: z.number().int().nonnegative(), error: ErrorInfo })).default({}),
  /** Since when this lane's rows fail to reach the provider (retryable `unavailable`); null = they reach it. */
  unreachableSince: z.number().nullable().default(null),
  /** When the provider last answered a row of this lane (any outcome but `unavailable`). */
  lastAnswerAt: z.number().nullable().default(null),
  /**
   * Derived flags, stamped on every write (`storedLane`), so idle lanes find work and the pass's end
   * with a filtered query instead of reading every lane: `open` = the range [next, end) is not
   * empty (stealable), `busy` = a position is in flight.
   */
  open: z.boolean().default(false),
  busy: z.boolean().default(false),
  /**
   * The lane's recent row time (ms, a moving average of the rows it committed; null before its
   * first commit): whether its short range is still worth a steal (`stealable`).
   */
  rowMs: z.number().nonnegative().nullable().default(null),
  /**
   * A steal took part of this BUSY lane's range since its owner last committed (or took a new
   * position): no other steal may take more until then (`stealable`), so a position the owner's
   * group chose from the lower half of the range it read is never taken by a second steal, and a
   * lane's document takes at most one thief's write per group. Only meaningful while busy.
   */
  stolen: z.boolean().default(false),
  updatedAt: z.number(),
});
export type Lane = z.infer<typeof Lane>;

/**
 * A busy lane's range is not worth a steal once the half a thief would take holds less than this
 * much work at the lane's row time: the steal (probe, transaction, a new task's dispatch) and the
 * writes it adds to the victim's document cost more than the rows it would move.
 */
export const MIN_STEAL_MS = 1_000;

/** A group stops starting rows once it has run this long: a lane commits about this often at most. */
export const GROUP_TARGET_MS = 2_500;

type StealView = Pick<Lane, "next" | "end" | "current"> & { rowMs?: number | null; stolen?: boolean };

/**
 * May a thief take part of this lane's range? An idle lane's range always (nobody else runs it); a
 * busy lane's only once between two commits of its owner (`stolen`; unless its rows are known to
 * be as long as GROUP_TARGET_MS, so its groups are of one row), and only while the upper half a
 * steal takes, ⌈(end − next)/2⌉ rows, holds at least MIN_STEAL_MS at the lane's row time.
 * Thieves (the `open` flag, the steal's re-check) and the lane's own group (which then runs its
 * whole range, row-group.ts) apply this same rule to the stored lane. Between two commits of the
 * owner only steals change the lane, and they only shrink its range and set `stolen`, so once a
 * busy lane is not stealable it stays so until its owner commits.
 */
export function stealable(lane: StealView): boolean {
  const left = lane.end - lane.next;
  if (left <= 0) return false;
  if (lane.current === null) return true;
  if (lane.rowMs === null || lane.rowMs === undefined) return lane.stolen !== true;
  // Rows as long as a group's target run one per group: a second steal cannot take a row the
  // group chose, so such lanes may be stolen from again (their commits are rare anyway).
  if (lane.stolen === true && lane.rowMs < GROUP_TARGET_MS) return false;
  return Math.ceil(left / 2) * lane.rowMs >= MIN_STEAL_MS;
}

/**
 * The lane as stored: its derived query flags recomputed from its range and current position
 * (`stolen` only holds for a busy lane: an idle lane's range is always stealable).
 */
export function storedLane<T extends StealView>(lane: T): T & Pick<Lane, "open" | "busy" | "stolen"> {
  const stolen = lane.current !== null && lane.stolen === true;
  return { ...lane, stolen, open: stealable({ ...lane, stolen }), busy: lane.current !== null };
}

export const RowsChunk = z.object({
  start: z.number().int().nonnegative(),
  rows: z.array(z.record(z.string(), z.string())),
});
export type RowsChunk = z.infer<typeof RowsChunk>;

export const PassChunk = z.object({
  pass: z.number().int().positive(),
  /** Work-list position of rows[0]. */
  start: z.number().int().nonnegative(),
  rows: z.array(z.number().int().nonnegative()),
});
export type PassChunk = z.infer<typeof PassChunk>;

export const Checkpoint = z.object({
  pass: z.number().int().nonnegative(),
  nodeOutputs: z.record(z.string(), StoredOutput),
  /**
   * A re-run pass's earlier outputs with their run hashes: each is kept only while its hash
   * matches (ExecuteOptions.reuse). `nodeOutputs` are resumed as they are.
   */
  reuse: z.record(z.string(), z.object({ hash: z.string(), output: StoredOutput })).optional(),
  /** The attempt that runs next, 1-based, and when (epoch ms; null if unknown): see RowRetry. */
  attempt: z.number().int().positive().optional(),
  nextTryAt: z.number().nullable().optional(),
  /** USD the row's earlier attempts (this pass and earlier ones) cost: carried into its result. */
  costUsd: z.number().nonnegative().default(0),
  /** The part of `costUsd` from earlier passes, already counted in the job's base. */
  carriedCostUsd: z.number().nonnegative().default(0),
  updatedAt: z.number(),
});
export type Checkpoint = z.infer<typeof Checkpoint>;

/** Positions per retry-pass work-list chunk (5,000 numbers ≈ 40 KB). */
export const PASS_CHUNK_SIZE = 5_000;

export const laneId = (index: number): string => `L${String(index).padStart(3, "0")}`;
export const lanesPath = (jobId: string): string => `${jobPath(jobId)}/lanes`;
export const lanePath = (jobId: string, index: number): string => `${lanesPath(jobId)}/${laneId(index)}`;
export const rowsPath = (jobId: string): string => `${jobPath(jobId)}/rows`;
export const rowsChunkPath = (jobId: string, chunk: number): string => `${rowsPath(jobId)}/${String(chunk).padStart(5, "0")}`;
/** A retry pass's work list chunk; `list` is unique per retryFailed call, so a concurrent or
 *  abandoned call can never overwrite the list a running pass reads. */
export const passChunkPath = (jobId: string, pass: number, list: string, chunk: number): string => `${jobPath(jobId)}/passes/${pass}-${list}-${chunk}`;
/** A pass's flow snapshot (FlowSnapshot in rerun-pass.ts): written when a re-run changes the flow. */
export const flowSnapshotPath = (jobId: string, pass: number): string => `${jobPath(jobId)}/flows/${String(pass).padStart(6, "0")}`;
export const claimsPath = (jobId: string): string => `${jobPath(jobId)}/claims`;
export const checkpointPath = (jobId: string, rowIndex: number): string => `${jobPath(jobId)}/checkpoints/${rowId(rowIndex)}`;

export function parseLaneIndex(id: string): number | null {
  const m = /^L(\d+)$/.exec(id);
  return m?.[1] !== undefined ? Number(m[1]) : null;
}
