/**
 * `batch_jobs/{jobId}` created → fan out (the requested shape). The core writes a job `pending`
 * and its start (lanes + first tasks) happens in the same createBatch request when `start` is set,
 * or later in startBatch; both call the core's startJob, which fans out directly. This trigger is
 * the durable backstop: it reads the job's CURRENT state and, when the job is processing (or was
 * created with a start request the request did not finish), calls startJob again, which re-ensures
 * every lane's task. Task ids are deterministic, so tasks already queued resolve "exists" and no
 * row runs twice. A draft (`pending`, no start request) waits for startBatch.
 */
import { JobStatus, isPending, isRunning, jobPath } from "@flowcraft/core";
import { onDocumentCreated } from "firebase-functions/v2/firestore";
import { TRIGGER_TIMEOUT_SECONDS } from "../config/function-options";
import { getDeps } from "../runtime/deps";
import { acknowledgePermanent } from "./retry-policy";

export const onBatchJobCreated = onDocumentCreated(
  { document: "batch_jobs/{jobId}", retry: true, timeoutSeconds: TRIGGER_TIMEOUT_SECONDS, memory: "512MiB" },
  async (event) => {
    const deps = getDeps({ withAi: false });
    const jobId = event.params.jobId;
    await acknowledgePermanent(deps.logger, { jobId, trigger: "job-created" }, async () => {
      const current = await deps.store.get<{ ownerId?: unknown; status?: unknown; startRequested?: unknown }>(jobPath(jobId));
      const data = current?.data;
      if (!data || typeof data.ownerId !== "string") return;
      const status = JobStatus.safeParse(data.status);
      const wanted = status.success && (isRunning(status.data) || (isPending(status.data) && data.startRequested === true));
      if (!wanted) {
        deps.logger.debug({ jobId, status: data.status }, "job created as a draft: waiting for startBatch");
        return;
      }
      const job = await deps.handlers.startJob({ ownerId: data.ownerId }, jobId);
      deps.logger.info({ jobId, status: job.status }, "job fan-out ensured");
    });
  },
);
