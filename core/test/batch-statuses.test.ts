/**
 * Truth tables of the job status predicates (statuses.ts). Each expected table is written out by
 * hand over every status: a new status fails the typecheck here (and in statuses.ts) until both
 * decide it, and a changed answer fails a named row.
 */
import { JobStatus } from "../src/batch/model";
import * as S from "../src/batch/statuses";

type Table = Record<JobStatus, boolean>;

// prettier-ignore
const BY_STATUS: Array<[string, (s: JobStatus) => boolean, Table]> = [
  //                                         pending processing paused completed failed cancelled
  ["isTerminal",        S.isTerminal,        t(false, false, false, true,  true,  true)],
  ["isActive",          S.isActive,          t(true,  true,  true,  false, false, false)],
  ["isPassOpen",        S.isPassOpen,        t(false, true,  true,  false, false, false)],
  ["isRunning",         S.isRunning,         t(false, true,  false, false, false, false)],
  ["isPaused",          S.isPaused,          t(false, false, true,  false, false, false)],
  ["isPending",         S.isPending,         t(true,  false, false, false, false, false)],
  ["isCompleted",       S.isCompleted,       t(false, false, false, true,  false, false)],
  ["isFailed",          S.isFailed,          t(false, false, false, false, true,  false)],
  ["isCancelled",       S.isCancelled,       t(false, false, false, false, false, true)],
  ["canStart",          S.canStart,          t(true,  false, false, false, false, false)],
  ["canSetConcurrency", S.canSetConcurrency, t(true,  true,  true,  false, false, false)],
  ["canResume",         S.canResume,         t(false, false, true,  false, false, true)],
  ["canRetryFailed",    S.canRetryFailed,    t(false, false, false, true,  true,  false)],
  ["canRerun",          S.canRerun,          t(false, false, false, true,  true,  true)],
];

// Job predicates: [when cancel was not requested, when it was].
// prettier-ignore
const BY_JOB: Array<[string, (j: S.JobStatusView) => boolean, Table, Table]> = [
  ["isRunnable",   S.isRunnable,   t(false, true,  false, false, false, false), t(false, false, false, false, false, false)],
  ["isCancelling", S.isCancelling, t(false, false, false, false, false, false), t(true,  true,  true,  false, false, false)],
  ["canPause",     S.canPause,     t(false, true,  false, false, false, false), t(false, false, false, false, false, false)],
  ["canCancel",    S.canCancel,    t(true,  true,  true,  false, false, false), t(false, false, false, false, false, false)],
  ["canDelete",    S.canDelete,    t(true,  false, false, true,  true,  true),  t(false, false, false, true,  true,  true)],
];

function t(pending: boolean, processing: boolean, paused: boolean, completed: boolean, failed: boolean, cancelled: boolean): Table {
  return { pending, processing, paused, completed, failed, cancelled };
}

const answers = (f: (s: JobStatus) => boolean): Table => Object.fromEntries(JobStatus.options.map((s) => [s, f(s)])) as Table;

describe("job status predicates", () => {
  it.each(BY_STATUS)("%s", (_name, predicate, expected) => {
    expect(answers(predicate)).toEqual(expected);
  });

  it.each(BY_JOB)("%s", (_name, predicate, plain, cancelling) => {
    expect(answers((status) => predicate({ status, cancelRequested: false }))).toEqual(plain);
    expect(answers((status) => predicate({ status, cancelRequested: true }))).toEqual(cancelling);
  });

  it("every status is exactly one of pending, running, paused or terminal", () => {
    for (const s of JobStatus.options) {
      expect([S.isPending(s), S.isRunning(s), S.isPaused(s), S.isTerminal(s)].filter(Boolean)).toHaveLength(1);
    }
  });

  it("every terminal status is exactly one of completed, failed, cancelled", () => {
    for (const s of S.statusesWhere(S.isTerminal)) {
      expect([S.isCompleted(s), S.isFailed(s), S.isCancelled(s)].filter(Boolean)).toHaveLength(1);
    }
  });

  it("statusesWhere lists the statuses a predicate holds for, in the enum's order", () => {
    expect(S.statusesWhere(S.isActive)).toEqual(["pending", "processing", "paused"]);
    expect(S.statusesWhere(S.isPassOpen)).toEqual(["processing", "paused"]);
    expect(S.statusesWhere(S.canRetryFailed)).toEqual(["completed", "failed"]);
  });
});
