/**
 * `batch_jobs/{jobId}` created → fan out (the requested shape). A job created with `start: true`
 * is already `processing`: the create handler enqueued its first tasks in the same request, so this
 * trigger is the durable backstop for a crash between that commit and the enqueue. It asks the
 * core to re-drive the job's lanes; task ids are deterministic, so tasks already queued resolve as
 * "exists" and nothing runs twice. Drafts (`pending`) do nothing here: `startBatch` calls the
 * core's startJob, which fans out directly.
 */
import { onDocumentCreated } from "firebase-functions/v2/firestore";
import { TRIGGER_TIMEOUT_SECONDS } from "../config/function-options";
import { getDeps } from "../runtime/deps";

export const onBatchJobCreated = onDocumentCreated(
  { document: "batch_jobs/{jobId}", retry: true, timeoutSeconds: TRIGGER_TIMEOUT_SECONDS, memory: "512MiB" },
  async (event) => {
    const deps = getDeps({ withAi: false });
    const jobId = event.params.jobId;
    const status: unknown = event.data ? event.data.get("status") : (await deps.store.get(`batch_jobs/${jobId}`))?.data.status;
    if (status !== "processing") {
      deps.logger.debug({ jobId, status }, "job created without start: waiting for startBatch");
      return;
    }
    const { redriven } = await deps.handlers.reconcile({ jobId, olderThanMs: 0 });
    deps.logger.info({ jobId, redriven }, "job fan-out checked");
  },
);
