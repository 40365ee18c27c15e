/** Every limit a batch is checked against, in one place. Hosts may override any of them. */
import { DEFAULT_CSV_LIMITS, MAX_COLUMN_NAME_BYTES } from "../csv/limits";

export interface BatchLimits {
  maxRows: number;
  maxColumns: number;
  maxNodes: number;
  minConcurrency: number;
  maxConcurrency: number;
  defaultConcurrency: number;
  /** Largest single cell, in UTF-8 bytes. */
  maxCellBytes: number;
  /** Active (pending or processing) jobs one owner may have at once. */
  maxActiveJobsPerOwner: number;
  /** How long one row may run before it is aborted with `timeout`. */
  rowTimeoutMs: number;
  /**
   * How long a lane's group of short rows may run before its one commit (row-group.ts); absent =
   * GROUP_TARGET_MS, 0 = one row per task.
   */
  groupTargetMs?: number;
}

/** Longest column name, in UTF-8 bytes (csv/limits.ts, where the CSV reader checks it too). */
export { MAX_COLUMN_NAME_BYTES };

/**
 * 100,000 rows: the provider batch APIs' size. The local host streams such files (the CLI's read,
 * `POST /api/uploads`); see `FIREBASE_LIMITS` for the Firebase host.
 */
export const DEFAULT_LIMITS: BatchLimits = {
  maxRows: DEFAULT_CSV_LIMITS.maxRows,
  maxColumns: DEFAULT_CSV_LIMITS.maxColumns,
  maxNodes: 50,
  minConcurrency: 1,
  maxConcurrency: 50,
  defaultConcurrency: 5,
  maxCellBytes: DEFAULT_CSV_LIMITS.maxCellBytes,
  maxActiveJobsPerOwner: 10,
  rowTimeoutMs: 15 * 60_000,
};

/**
 * The Firebase host: 100,000 rows too. A large file goes through Cloud Storage (`createBatch
 * {uploadPath}` parses it as a stream, in bounded memory); rows sent inline in the callable's
 * body are bounded by its 32 MiB as well.
 */
export const FIREBASE_LIMITS: BatchLimits = { ...DEFAULT_LIMITS };
