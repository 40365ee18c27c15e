/**
 * FlowCraft Batch on Firebase: the deployed functions. Wiring only; the batch rules live in
 * @flowcraft/core (bundled into lib/index.js by scripts/build.js).
 *
 *   callables   createBatch startBatch cancelBatch pauseBatch resumeBatch setBatchConcurrency
 *               retryFailedRows rerunRows listBatchRows
 *               previewFlow generateText generateImage generateVideo estimateBatch
 *               getGovernorSettings setGovernorSettings (admin custom claim)
 *               signMediaLinks (short-lived signed URLs for an export's media)
 *   triggers    onBatchJobCreated (batch_jobs/{jobId}) · onBatchResultCreated (…/results/{rowId})
 *               onWebhookEventCreated (…/webhook_events/{eventKey})
 *   tasks       runBatchRow (one row per delivery)
 *   schedule    reconcileBatches
 */
// First: global options must be set before any function below is defined (see global-options.ts).
import "./config/global-options";
import { setDepsFactory } from "./runtime/deps";
import { productionDeps } from "./runtime/production-deps";

setDepsFactory(productionDeps);

export {
  createBatch,
  startBatch,
  cancelBatch,
  pauseBatch,
  resumeBatch,
  deleteBatch,
  setBatchConcurrency,
  retryFailedRows,
  rerunRows,
  listBatchRows,
  getWebhookSecret,
  rotateWebhookSecret,
} from "./callables/batch-callables";
export { previewFlow, generateText, generateImage, generateVideo, estimateBatch } from "./callables/ai-callables";
export { getGovernorSettings, setGovernorSettings } from "./callables/governor-callables";
export { signMediaLinks } from "./callables/export-callables";
export { onBatchJobCreated } from "./triggers/job-created";
export { onBatchResultCreated } from "./triggers/result-created";
export { onWebhookEventCreated } from "./triggers/webhook-event-created";
export { runBatchRow } from "./triggers/row-task";
export { reconcileBatches } from "./triggers/reconcile-schedule";
export { purgeExpiredBatches } from "./triggers/retention-schedule";
