/**
 * The create-time checks of a batch's `webhookUrl`: a URL deliveries may use (webhook-url.ts), and
 * a signing secret its owner already has (a receiver could not verify anything signed with a
 * secret it was never shown). Both before anything is written.
 */
import { PermanentError, ValidationError } from "../errors";
import type { BatchDeps, CreateJobInput } from "../batch/api";
import { webhookUrlProblem } from "./webhook-url";
import { readWebhookSecret } from "./webhook-secrets";

export async function checkWebhookInput(deps: BatchDeps, input: Pick<CreateJobInput, "ownerId" | "webhookUrl">): Promise<void> {
  const url: unknown = input.webhookUrl;
  if (url === undefined) return;
  if (typeof url !== "string") throw new ValidationError("The batch request is malformed", [{ path: "webhookUrl", message: "must be a URL string" }]);
  const problem = webhookUrlProblem(url, deps.webhooks?.allowLoopback === true, deps.webhooks?.blockPrivateAddresses === true);
  if (problem) throw new ValidationError(`webhookUrl ${problem}`, [{ path: "webhookUrl", message: problem }]);
  if (!(await readWebhookSecret(deps.store, input.ownerId))) {
    throw new PermanentError("failed_precondition", "A webhook needs a signing secret: create one in Settings (Webhook secret) first");
  }
}
