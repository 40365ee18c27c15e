/** createBatchHandlers: wires the handler functions to one shared context (deps + caches). */
import type { BatchDeps, BatchHandlers } from "./api";
import { cancelJob } from "./cancel-job";
import { makeContext } from "./context";
import { createJob } from "./create-job";
import { toPublicJob } from "./job-view";
import { getJob, listJobs, listResults } from "./queries";
import { reconcile } from "./reconcile";
import { onResultCreated } from "./result-created";
import { retryFailed } from "./retry-failed";
import { isRollUpTask, runRollUpTask } from "./roll-up";
import { runRowTask } from "./row-task";
import { setConcurrency } from "./set-concurrency";
import { startJob } from "./start-job";

export function createBatchHandlers(deps: BatchDeps): BatchHandlers {
  const ctx = makeContext(deps);
  return {
    async createJob(input) {
      const job = await createJob(ctx, input);
      return toPublicJob(input.start ? await startJob(ctx, { ownerId: input.ownerId }, job.id) : job);
    },
    startJob: async (caller, jobId) => toPublicJob(await startJob(ctx, caller, jobId)),
    cancelJob: async (caller, jobId) => toPublicJob(await cancelJob(ctx, caller, jobId)),
    setConcurrency: async (caller, jobId, c) => toPublicJob(await setConcurrency(ctx, caller, jobId, c)),
    async retryFailed(caller, jobId) {
      const out = await retryFailed(ctx, caller, jobId);
      return { job: toPublicJob(out.job), rows: out.rows };
    },
    getJob: (caller, jobId) => getJob(ctx, caller, jobId),
    listJobs: (caller, opts) => listJobs(ctx, caller, opts),
    listResults: (caller, jobId, opts) => listResults(ctx, caller, jobId, opts),
    runRowTask: (task, tctx) => (isRollUpTask(task) ? runRollUpTask(ctx, task, tctx) : runRowTask(ctx, task, tctx)),
    onResultCreated: (doc) => onResultCreated(ctx, doc),
    reconcile: (opts) => reconcile(ctx, opts),
  };
}
