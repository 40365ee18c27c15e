/**
 * The browser waits for each callable at least as long as the function may run: otherwise a long
 * preview (video) is reported as `deadline-exceeded` while it still runs on the server.
 */
import { CALLABLE_TIMEOUT_MS } from "../src/backend/callable-timeouts";
import { BATCH_CALLABLE_TIMEOUT_SECONDS, PREVIEW_TIMEOUT_SECONDS } from "../../functions/src/config/function-options";

const HTTPS_CALLABLE_DEFAULT_MS = 70_000;

describe("callable timeouts", () => {
  it.each([
    ["previewFlow", PREVIEW_TIMEOUT_SECONDS],
    ["estimateBatch", PREVIEW_TIMEOUT_SECONDS],
    ["createBatch", BATCH_CALLABLE_TIMEOUT_SECONDS],
    ["startBatch", BATCH_CALLABLE_TIMEOUT_SECONDS],
    ["cancelBatch", BATCH_CALLABLE_TIMEOUT_SECONDS],
    ["pauseBatch", BATCH_CALLABLE_TIMEOUT_SECONDS],
    ["resumeBatch", BATCH_CALLABLE_TIMEOUT_SECONDS],
    ["setBatchConcurrency", BATCH_CALLABLE_TIMEOUT_SECONDS],
    ["retryFailedRows", BATCH_CALLABLE_TIMEOUT_SECONDS],
    ["deleteBatch", BATCH_CALLABLE_TIMEOUT_SECONDS],
    ["getWebhookSecret", BATCH_CALLABLE_TIMEOUT_SECONDS],
    ["rotateWebhookSecret", BATCH_CALLABLE_TIMEOUT_SECONDS],
    ["getGovernorSettings", BATCH_CALLABLE_TIMEOUT_SECONDS],
    ["setGovernorSettings", BATCH_CALLABLE_TIMEOUT_SECONDS],
    ["signMediaLinks", BATCH_CALLABLE_TIMEOUT_SECONDS],
  ] as const)("%s waits longer than the function's %i s timeout", (name, serverSeconds) => {
    expect(CALLABLE_TIMEOUT_MS[name]).toBeGreaterThan(serverSeconds * 1000);
  });

  it("a preview outlasts the SDK's 70 s default", () => {
    expect(CALLABLE_TIMEOUT_MS.previewFlow).toBeGreaterThan(HTTPS_CALLABLE_DEFAULT_MS);
  });
});
