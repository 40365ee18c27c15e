/**
 * One delivery attempt of a webhook task: POST the frozen body, signed with the owner's current
 * secret. A 2xx answer is delivered; anything else (an error status, a redirect, a network error,
 * no answer within 10 s) throws a RetryableError, so the host's queue retries with its backoff.
 * On the queue's last attempt the failure is recorded and the task ends (a batch's state never
 * depends on its webhook). Before each attempt the URL is checked again and, on a deployed host
 * (`blockPrivateAddresses`), its host is resolved and refused when it reaches a private,
 * link-local or metadata address (webhook-address.ts); the request then connects to the address
 * checked. Every attempt's outcome is written on the event document (webhook-outbox.ts); an event
 * whose document is gone (the batch was deleted) or already delivered is not sent again.
 */
import { RetryableError } from "../errors";
import type { TaskContext } from "../ports/task-queue";
import type { BatchContext } from "../batch/context";
import { webhookUrlProblem } from "./webhook-url";
import { readWebhookSecret } from "./webhook-secrets";
import { EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, signWebhook } from "./webhook-sign";
import { WebhookTask } from "./webhook-event";
import { WebhookEventDoc, recordDeliveryOutcome, webhookEventPath } from "./webhook-outbox";
import { checkWebhookHost, systemResolver, type AddressCheck } from "./webhook-address";
import { sendWebhook, sendWithFetch, type SendOutcome, type WebhookRequest } from "./webhook-send";

const TIMEOUT_MS = 10_000;

export async function deliverWebhook(ctx: BatchContext, raw: WebhookTask, tctx: TaskContext): Promise<void> {
  const { logger, store, clock } = ctx.deps;
  const task = WebhookTask.parse(raw);
  const log = { eventId: task.eventId, attempt: tctx.retryCount + 1 };
  if (!(await stillWanted(ctx, task))) {
    logger.info(log, "webhook not sent: its batch was deleted or it was delivered already");
    return;
  }
  const attempt = { attempts: tctx.retryCount + 1, lastAttemptAt: clock.now() };
  const host = await hostCheck(ctx, task.url);
  const secret = await readWebhookSecret(store, task.ownerId);
  const problem = !host.ok ? host.reason : secret ? null : "no webhook secret";
  if (problem || !secret || !host.ok) {
    logger.warn({ ...log, reason: problem }, "webhook dropped");
    await recordDeliveryOutcome(ctx, task, { ...attempt, status: "dropped", lastError: problem });
    return;
  }
  const outcome = describe(await post(ctx, task, signWebhook(secret.secret, task.body, clock.now()), host.address));
  if (outcome === "ok") {
    logger.info(log, "webhook delivered");
    await recordDeliveryOutcome(ctx, task, { ...attempt, status: "delivered", lastError: null, deliveredAt: clock.now() });
    return;
  }
  if (tctx.isLastAttempt) {
    logger.warn({ ...log, outcome }, "webhook undeliverable: giving up");
    await recordDeliveryOutcome(ctx, task, { ...attempt, status: "failed", lastError: outcome });
    return;
  }
  logger.info({ ...log, outcome }, "webhook attempt failed");
  await recordDeliveryOutcome(ctx, task, { ...attempt, status: "retrying", lastError: outcome });
  throw new RetryableError("unavailable", `Webhook delivery failed (${outcome}); it will be retried`);
}

/** False when the event's document is gone (deleted batch) or says it was delivered; tasks without a job id predate event documents. */
async function stillWanted(ctx: BatchContext, task: WebhookTask): Promise<boolean> {
  if (!task.jobId) return true;
  const doc = await ctx.deps.store.get(webhookEventPath(task.jobId, task.eventId));
  return doc !== null && WebhookEventDoc.parse(doc.data).status !== "delivered";
}

/** The URL rules, then (deployed hosts) the address rules on what the host name resolves to. */
async function hostCheck(ctx: BatchContext, raw: string): Promise<AddressCheck> {
  const opts = ctx.deps.webhooks ?? {};
  const allowLoopback = opts.allowLoopback === true;
  const problem = webhookUrlProblem(raw, allowLoopback, opts.blockPrivateAddresses === true);
  if (problem) return { ok: false, reason: `the URL ${problem}` };
  if (opts.blockPrivateAddresses !== true) return { ok: true, address: null };
  return checkWebhookHost(new URL(raw).hostname, { allowLoopback, resolve: opts.resolve ?? systemResolver });
}

function post(ctx: BatchContext, task: WebhookTask, signature: string, address: string | null): Promise<SendOutcome> {
  const req: WebhookRequest = {
    url: task.url,
    headers: {
      "content-type": "application/json",
      [SIGNATURE_HEADER]: signature,
      [EVENT_ID_HEADER]: task.eventId,
      [EVENT_TYPE_HEADER]: task.type,
      "user-agent": "FlowCraft-Batch-Webhook/1",
    },
    body: task.body,
    address,
    timeoutMs: TIMEOUT_MS,
  };
  const injected = ctx.deps.webhooks?.fetch;
  return injected ? sendWithFetch(injected, req) : sendWebhook(req);
}

function describe(o: SendOutcome): string {
  if ("failure" in o) return o.failure;
  return o.status >= 200 && o.status < 300 ? "ok" : `status ${o.status}`;
}
