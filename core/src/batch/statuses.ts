/**
 * What each job status means and allows: the one place that decides, for core's handlers, the
 * hosts and the web app (buttons, labels, when to stop watching). See ARCHITECTURE.md, "Job state
 * machine".
 *
 * Every predicate reads a table over every `JobStatus`, so a new status fails the typecheck here
 * until each table decides it, and statuses.test.ts pins every answer. Predicates on a job also
 * read `cancelRequested`: a cancelling job stays `processing` until its rows in flight finish.
 *
 * Browser-safe (the web app imports it at run time): it depends only on the model.
 */
import { JobStatus, type Job } from "./model";

type StatusTable = Readonly<Record<JobStatus, boolean>>;

/** The fields of a job the job predicates read. */
export type JobStatusView = Pick<Job, "status" | "cancelRequested">;

// prettier-ignore
const T = {
  //                         pending processing paused completed failed cancelled
  terminal:        row(false, false, false, true,  true,  true),
  passOpen:        row(false, true,  true,  false, false, false),
  running:         row(false, true,  false, false, false, false),
  paused:          row(false, false, true,  false, false, false),
  pending:         row(true,  false, false, false, false, false),
  completed:       row(false, false, false, true,  false, false),
  failed:          row(false, false, false, false, true,  false),
  cancelled:       row(false, false, false, false, false, true),
  setConcurrency:  row(true,  true,  true,  false, false, false),
  resume:          row(false, false, true,  false, false, true),
  retryFailed:     row(false, false, false, true,  true,  false),
  rerun:           row(false, false, false, true,  true,  true),
  delete:          row(true,  false, false, true,  true,  true),
} satisfies Record<string, StatusTable>;

function row(pending: boolean, processing: boolean, paused: boolean, completed: boolean, failed: boolean, cancelled: boolean): StatusTable {
  return { pending, processing, paused, completed, failed, cancelled };
}

/** Completed, failed or cancelled: nothing runs until a retry, re-run or resume opens a new pass. */
export const isTerminal = (status: JobStatus): boolean => T.terminal[status];
/** Not terminal (pending, processing, paused): in its owner's active set; clients keep watching it. */
export const isActive = (status: JobStatus): boolean => !T.terminal[status];
/**
 * The current pass is open (processing or paused): lanes may have rows in flight, their commits
 * count, and the pass finalizes when it is over. A paused pass starts no new row.
 */
export const isPassOpen = (status: JobStatus): boolean => T.passOpen[status];
/** Lanes run (`processing`), whether cancelling or not. */
export const isRunning = (status: JobStatus): boolean => T.running[status];
/** Open, but no row starts until a resume (`pausedReason` says why). */
export const isPaused = (status: JobStatus): boolean => T.paused[status];
/** Created and not started: no lane exists yet. */
export const isPending = (status: JobStatus): boolean => T.pending[status];
/** Ended with every row run (some may have failed: `failedRows`). */
export const isCompleted = (status: JobStatus): boolean => T.completed[status];
/** Ended with not one row ever succeeded (`error` gives the first row error). */
export const isFailed = (status: JobStatus): boolean => T.failed[status];
/** Ended by a cancel: some rows never ran (`skippedRows`); exports show them as `cancelled`. */
export const isCancelled = (status: JobStatus): boolean => T.cancelled[status];

/** Running and not cancelling: a lane may take a new row (`laneMayRun`), the job may pause. */
export const isRunnable = (job: JobStatusView): boolean => T.running[job.status] && !job.cancelRequested;
/** Cancel was asked for and the rows in flight have not all finished yet. */
export const isCancelling = (job: JobStatusView): boolean => job.cancelRequested && !T.terminal[job.status];

/** `startJob` starts it (on a running job a start only re-ensures the lanes' tasks). */
export const canStart = (status: JobStatus): boolean => T.pending[status];
/** `pauseJob` pauses it (pausing a paused job changes nothing; a cancelling job cannot pause). */
export const canPause = (job: JobStatusView): boolean => isRunnable(job);
/** `cancelJob` changes something: not terminal and not already cancelling. */
export const canCancel = (job: JobStatusView): boolean => !T.terminal[job.status] && !job.cancelRequested;
/** `setConcurrency` accepts it (a pending or paused job records it; a running one rebalances now). */
export const canSetConcurrency = (status: JobStatus): boolean => T.setConcurrency[status];
/** `resumeJob` acts: a paused job continues; a cancelled one opens a pass over its rows that never ran. */
export const canResume = (status: JobStatus): boolean => T.resume[status];
/** `retryFailed` accepts it: a finished pass; a cancelled job resumes its never-run rows instead. */
export const canRetryFailed = (status: JobStatus): boolean => T.retryFailed[status];
/** `rerunRows` accepts it: any terminal job (which rows to run is the request's choice). */
export const canRerun = (status: JobStatus): boolean => T.rerun[status];
/**
 * `deleteJob` accepts it: no row in flight and none can start. A pending job that is cancelling is
 * refused (a cancel of a pending job finishes it in one transaction; this guards that window).
 */
export const canDelete = (job: JobStatusView): boolean => T.delete[job.status] && !(T.pending[job.status] && job.cancelRequested);

/** Every status a status predicate holds for, in the enum's order (query filters, messages). */
export function statusesWhere(holds: (status: JobStatus) => boolean): JobStatus[] {
  return JobStatus.options.filter(holds);
}
