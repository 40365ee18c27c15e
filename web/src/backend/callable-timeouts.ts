/**
 * How long the browser waits for each callable. `httpsCallable` gives up after 70 s by default,
 * while the server lets `previewFlow` run for 900 s (a video node takes minutes) and the batch
 * callables for 120 s. A client that stops waiting first reports `deadline-exceeded` for a call
 * that is still running on the server, so each wait covers the function's timeout plus a margin for
 * the network and a cold start. Keep in step with functions/src/config/function-options.ts.
 */
const MARGIN_MS = 15_000;
const BATCH_CALLABLE_MS = 120_000 + MARGIN_MS;

export const CALLABLE_TIMEOUT_MS = {
  previewFlow: 900_000 + MARGIN_MS,
  estimateBatch: 900_000 + MARGIN_MS,
  // createBatch may parse a 100,000-row upload from Cloud Storage (CREATE_CALLABLE_TIMEOUT_SECONDS).
  createBatch: 540_000 + MARGIN_MS,
  startBatch: BATCH_CALLABLE_MS,
  cancelBatch: BATCH_CALLABLE_MS,
  pauseBatch: BATCH_CALLABLE_MS,
  resumeBatch: BATCH_CALLABLE_MS,
  setBatchConcurrency: BATCH_CALLABLE_MS,
  retryFailedRows: BATCH_CALLABLE_MS,
  listBatchRows: BATCH_CALLABLE_MS,
  deleteBatch: BATCH_CALLABLE_MS,
  getWebhookSecret: BATCH_CALLABLE_MS,
  rotateWebhookSecret: BATCH_CALLABLE_MS,
  rerunRows: BATCH_CALLABLE_MS,
  getGovernorSettings: BATCH_CALLABLE_MS,
  setGovernorSettings: BATCH_CALLABLE_MS,
  signMediaLinks: BATCH_CALLABLE_MS,
} as const;

export type CallableName = keyof typeof CALLABLE_TIMEOUT_MS;
