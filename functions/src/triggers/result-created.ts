/**
 * `batch_jobs/{jobId}/results/{rowId}` created → count the row, dispatch the lane's next row,
 * finalize the job. Delivered at least once and retried on failure (`retry: true`): the core
 * handler is idempotent. Large events arrive without `event.data`; the document is then read.
 */
import type { Doc } from "@flowcraft/core";
import { onDocumentCreated } from "firebase-functions/v2/firestore";
import { TRIGGER_TIMEOUT_SECONDS } from "../config/function-options";
import { getDeps } from "../runtime/deps";
import { acknowledgePermanent } from "./retry-policy";

export const onBatchResultCreated = onDocumentCreated(
  { document: "batch_jobs/{jobId}/results/{rowId}", retry: true, timeoutSeconds: TRIGGER_TIMEOUT_SECONDS, memory: "512MiB" },
  async (event) => {
    const deps = getDeps({ withAi: false });
    const path = `batch_jobs/${event.params.jobId}/results/${event.params.rowId}`;
    let doc: Doc | null = null;
    if (event.data) {
      doc = { id: event.data.id, path, data: event.data.data() };
    } else {
      doc = await deps.store.get(path);
    }
    if (!doc) {
      // Deleted since (retry-failed removes failed results before re-running them): nothing to count.
      deps.logger.warn({ path }, "result event without a document");
      return;
    }
    const resultDoc = doc;
    await acknowledgePermanent(deps.logger, { path, trigger: "result-created" }, () => deps.handlers.onResultCreated(resultDoc));
  },
);
