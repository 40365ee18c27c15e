/** createBatchHandlers: wires the handler functions to one shared context (deps + caches). */
import { checkJobId as id } from "./access";
import type { BatchDeps, BatchHandlers, CreateFromRowsInput, CreateJobInput } from "./api";
import { cancelJob } from "./cancel-job";
import { makeContext } from "./context";
import { createJob, type CreateOutcome } from "./create-job";
import { createJobFromRows } from "./create-streamed";
import { deleteJob } from "./delete-job";
import { purgeExpired } from "./retention";
import { estimateBatch } from "./estimate";
import { toPublicJob } from "./job-view";
import type { Job } from "./model";
import { pauseJob, resumeJob } from "./pause-job";
import { getJob, listJobs, listResults } from "./queries";
import { reconcile } from "./reconcile";
import { listRows } from "./rows-page";
import { onResultCreated } from "./result-created";
import { rerunRows } from "./rerun-rows";
import { retryFailed } from "./retry-failed";
import { isRollUpTask, runRollUpTask } from "./roll-up";
import { runRowTask } from "./row-task";
import { setConcurrency } from "./set-concurrency";
import { startJob } from "./start-job";
import { canStart, isRunning } from "./statuses";
import { checkWebhookInput } from "../webhooks/webhook-input";
import { deliverWebhook } from "../webhooks/webhook-delivery";
import { isWebhookTask } from "../webhooks/webhook-event";
import { onWebhookEventCreated } from "../webhooks/webhook-outbox";
import { rotateWebhookSecret, webhookSecretInfo } from "../webhooks/webhook-secrets";
import { runEconomyLayerTask, runEconomyPollTask } from "../economy/economy-driver";
import { isEconomyTask } from "../economy/economy-tasks";

/** Caller-facing handlers check the job id first (`id`), so a malformed one is a plain not_found. */
export function createBatchHandlers(deps: BatchDeps): BatchHandlers {
  const ctx = makeContext(deps);
  const created = async (input: CreateJobInput | CreateFromRowsInput, make: () => Promise<CreateOutcome>): Promise<{ job: Job; replayed: boolean }> => {
    await checkWebhookInput(deps, input);
    const { job, replayed } = await make();
    // A repeated request id returns the earlier job: start it if that attempt's start failed
    // (startJob on a processing job re-ensures its lanes' tasks), never restart a finished one.
    const start = input.start === true && (canStart(job.status) || isRunning(job.status));
    return { job: toPublicJob(start ? await startJob(ctx, { ownerId: input.ownerId }, job.id) : job), replayed };
  };
  const create = (input: CreateJobInput): Promise<{ job: Job; replayed: boolean }> => created(input, () => createJob(ctx, input));
  return {
    createJob: async (input) => (await create(input)).job,
    createJobOutcome: create,
    createJobFromRows: (input) => created(input, () => createJobFromRows(ctx, input)),
    startJob: async (caller, jobId) => toPublicJob(await startJob(ctx, caller, id(jobId))),
    cancelJob: async (caller, jobId) => toPublicJob(await cancelJob(ctx, caller, id(jobId))),
    pauseJob: async (caller, jobId) => toPublicJob(await pauseJob(ctx, caller, id(jobId))),
    resumeJob: async (caller, jobId, opts) => toPublicJob(await resumeJob(ctx, caller, id(jobId), opts)),
    setConcurrency: async (caller, jobId, c) => toPublicJob(await setConcurrency(ctx, caller, id(jobId), c)),
    async retryFailed(caller, jobId) {
      const out = await retryFailed(ctx, caller, id(jobId));
      return { job: toPublicJob(out.job), rows: out.rows };
    },
    async rerunRows(caller, jobId, request) {
      const out = await rerunRows(ctx, caller, id(jobId), request);
      return { job: toPublicJob(out.job), rows: out.rows };
    },
    getJob: async (caller, jobId) => getJob(ctx, caller, id(jobId)),
    deleteJob: async (caller, jobId) => deleteJob(ctx, caller, id(jobId)),
    purgeExpired: (opts) => purgeExpired(ctx, opts),
    listJobs: (caller, opts) => listJobs(ctx, caller, opts),
    listResults: async (caller, jobId, opts) => listResults(ctx, caller, id(jobId), opts),
    listRows: async (caller, jobId, opts) => listRows(ctx, caller, id(jobId), opts),
    estimateBatch: (caller, input) => estimateBatch(ctx, caller, input),
    webhookSecretInfo: (caller) => webhookSecretInfo(deps.store, caller.ownerId),
    rotateWebhookSecret: (caller) => rotateWebhookSecret(deps.store, caller.ownerId, deps.clock.now()),
    runRowTask: (task, tctx) => {
      if (isWebhookTask(task)) return deliverWebhook(ctx, task, tctx);
      if (isEconomyTask(task)) return task.kind === "economy" ? runEconomyLayerTask(ctx, task) : runEconomyPollTask(ctx, task);
      return isRollUpTask(task) ? runRollUpTask(ctx, task, tctx) : runRowTask(ctx, task, tctx);
    },
    onResultCreated: (doc) => onResultCreated(ctx, doc),
    onWebhookEventCreated: (doc) => onWebhookEventCreated(ctx, doc),
    reconcile: (opts) => reconcile(ctx, opts),
  };
}
