/**
 * Progress maths for the batch view: how many rows are finished, the recent rate in rows per
 * minute (over a sliding window of samples, falling back to the average since the start) and the
 * time left at that rate. Pure: time comes in as arguments.
 */
import type { JobStatus } from "@core/batch/model";
import { isTerminal } from "@core/batch/statuses";

export interface JobCounts {
  status: JobStatus;
  totalRows: number;
  completedRows: number;
  failedRows: number;
  skippedRows?: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** Retry passes so far (0 = the first run). */
  pass?: number;
  /** When the current pass started: a retry pass is measured from its own start, not the first one. */
  passStartedAt?: number;
  /** Rows in the current pass's work list. */
  passRows?: number;
}

export interface ProgressSample {
  at: number;
  finished: number;
}

export interface Progress {
  succeeded: number;
  failed: number;
  skipped: number;
  finished: number;
  total: number;
  remaining: number;
  /** 0..1 */
  fraction: number;
  /** Rows per minute, null until it can be measured. */
  ratePerMin: number | null;
  /** Milliseconds left at the current rate, null when unknown; 0 when done. */
  etaMs: number | null;
  elapsedMs: number | null;
}

export const RATE_WINDOW_MS = 30_000;

/** Rows that will not run (again): succeeded, failed, or skipped by a cancel. */
export function finishedRows(job: JobCounts): number {
  return job.completedRows + job.failedRows + (job.skippedRows ?? 0);
}

/** Rows that actually ran: what "Done" shows and the rate measures (skipped rows took no time). */
export function processedRows(job: JobCounts): number {
  return job.completedRows + job.failedRows;
}

/** When the current run started: the retry pass's own start, else the job's. */
export function runStartedAt(job: JobCounts): number | null {
  return job.passStartedAt ?? job.startedAt;
}

/**
 * Rows the current pass has processed. A retry pass runs only the failed rows; every other row
 * finished in an earlier pass (a retry is only possible once a pass has ended without a cancel).
 */
export function passProcessedRows(job: JobCounts): number {
  const processed = processedRows(job);
  if (!job.pass || job.passRows === undefined) return processed;
  return Math.max(0, processed - (job.totalRows - job.passRows));
}

/**
 * A progress sample for the rate. Timed by the job's `updatedAt` (when the server rolled the
 * counters up), not by when the browser received them: counters read from a snapshot that is
 * already seconds old, followed by a fresh one, would otherwise make seconds of progress look
 * like it happened in milliseconds.
 */
export function sampleOf(job: JobCounts & { updatedAt: number }): ProgressSample {
  return { at: job.updatedAt, finished: processedRows(job) };
}

/**
 * Adds a sample (`finished` should be `processedRows`), drops samples older than the window, and
 * restarts when the count went down (a retry pass).
 */
export function addSample(samples: readonly ProgressSample[], sample: ProgressSample, windowMs = RATE_WINDOW_MS): ProgressSample[] {
  const last = samples[samples.length - 1];
  if (last && sample.finished < last.finished) return [sample];
  if (last && last.finished === sample.finished && last.at === sample.at) return samples.slice();
  const kept = samples.filter((s) => sample.at - s.at <= windowMs);
  return [...kept, sample];
}

/** Rows per minute over the samples; null if they span no time or show no progress yet. */
export function windowRate(samples: readonly ProgressSample[]): number | null {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (!first || !last || last.at <= first.at) return null;
  const rows = last.finished - first.finished;
  if (rows <= 0) return null;
  return (rows / (last.at - first.at)) * 60_000;
}

function averageRate(job: JobCounts, now: number): number | null {
  const finished = passProcessedRows(job);
  const start = runStartedAt(job);
  if (start === null || finished === 0) return null;
  const end = job.finishedAt ?? now;
  const span = end - start;
  return span > 0 ? (finished / span) * 60_000 : null;
}

/** Rows whose results the view holds, by outcome (one result per row). */
export interface SeenCounts {
  succeeded: number;
  failed: number;
}

export function countSeen(results: Iterable<{ status: string }>): SeenCounts {
  const seen: SeenCounts = { succeeded: 0, failed: 0 };
  for (const r of results) {
    if (r.status === "succeeded") seen.succeeded++;
    else if (r.status === "failed") seen.failed++;
  }
  return seen;
}

/**
 * The job's counters are a throttled roll-up (about every 2 s on both hosts) while results stream
 * in live, so a running job counts at least the rows whose results are on screen: the numbers never
 * trail the table. A finished job's counters are exact and are used as they are.
 */
export function withSeenResults<J extends JobCounts>(job: J, seen: SeenCounts): J {
  if (isTerminal(job.status)) return job;
  const completedRows = Math.min(Math.max(job.completedRows, seen.succeeded), job.totalRows);
  const room = Math.max(job.totalRows - completedRows - (job.skippedRows ?? 0), 0);
  const failedRows = Math.min(Math.max(job.failedRows, seen.failed), room);
  if (completedRows === job.completedRows && failedRows === job.failedRows) return job;
  return { ...job, completedRows, failedRows };
}

export function computeProgress(job: JobCounts, now: number, samples: readonly ProgressSample[] = []): Progress {
  // "Done" counts rows that ran; rows a cancel skipped are shown apart ("Not run").
  const finished = Math.min(processedRows(job), job.totalRows);
  const remaining = Math.max(job.totalRows - finished - (job.skippedRows ?? 0), 0);
  const terminal = isTerminal(job.status);
  const ratePerMin = terminal ? averageRate(job, now) : (windowRate(samples) ?? averageRate(job, now));
  let etaMs: number | null = null;
  if (terminal || remaining === 0) etaMs = 0;
  else if (ratePerMin !== null && ratePerMin > 0) etaMs = Math.round((remaining / ratePerMin) * 60_000);
  const start = runStartedAt(job);
  const elapsedMs = start === null ? null : Math.max(0, (job.finishedAt ?? now) - start);
  return {
    succeeded: job.completedRows,
    failed: job.failedRows,
    skipped: job.skippedRows ?? 0,
    finished,
    total: job.totalRows,
    remaining,
    fraction: job.totalRows === 0 ? (terminal ? 1 : 0) : Math.min(finishedRows(job), job.totalRows) / job.totalRows,
    ratePerMin,
    etaMs,
    elapsedMs,
  };
}

/** "45s", "3m 05s", "2h 04m". */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m ${String(s).padStart(2, "0")}s`;
  return `${s}s`;
}

export function formatRate(ratePerMin: number | null): string {
  if (ratePerMin === null) return "–";
  return ratePerMin >= 10 ? `${Math.round(ratePerMin)} rows/min` : `${ratePerMin.toFixed(1)} rows/min`;
}

/** Short durations in ms ("850 ms", "2.4 s"), longer ones like formatDuration. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return formatDuration(ms);
}
