/**
 * One delivery attempt of a webhook task: POST the frozen body, signed with the owner's current
 * secret. A 2xx answer is delivered; anything else (an error status, a redirect, a network error,
 * no answer within 10 s) throws a RetryableError, so the host's queue retries with its backoff.
 * On the queue's last attempt the failure is logged and the task ends (a batch's state never
 * depends on its webhook). The URL is checked again before each attempt.
 */
import { RetryableError } from "../errors";
import type { TaskContext } from "../ports/task-queue";
import type { BatchContext } from "../batch/context";
import { webhookUrlProblem } from "./webhook-url";
import { readWebhookSecret } from "./webhook-secrets";
import { EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, signWebhook } from "./webhook-sign";
import { WebhookTask } from "./webhook-event";

const TIMEOUT_MS = 10_000;

export async function deliverWebhook(ctx: BatchContext, raw: WebhookTask, tctx: TaskContext): Promise<void> {
  const { logger, store, clock } = ctx.deps;
  const task = WebhookTask.parse(raw);
  const log = { eventId: task.eventId, attempt: tctx.retryCount + 1 };
  const problem = webhookUrlProblem(task.url, ctx.deps.webhooks?.allowLoopback === true);
  const secret = await readWebhookSecret(store, task.ownerId);
  if (problem || !secret) {
    logger.warn({ ...log, reason: problem ?? "no webhook secret" }, "webhook dropped");
    return;
  }
  const outcome = await post(ctx, task, signWebhook(secret.secret, task.body, clock.now()));
  if (outcome === "ok") {
    logger.info(log, "webhook delivered");
    return;
  }
  if (tctx.isLastAttempt) {
    logger.warn({ ...log, outcome }, "webhook undeliverable: giving up");
    return;
  }
  logger.info({ ...log, outcome }, "webhook attempt failed");
  throw new RetryableError("unavailable", `Webhook delivery failed (${outcome}); it will be retried`);
}

async function post(ctx: BatchContext, task: WebhookTask, signature: string): Promise<string> {
  const send = ctx.deps.webhooks?.fetch ?? fetch;
  try {
    const res = await send(task.url, {
      method: "POST",
      headers: { "content-type": "application/json", [SIGNATURE_HEADER]: signature, [EVENT_ID_HEADER]: task.eventId, [EVENT_TYPE_HEADER]: task.type, "user-agent": "FlowCraft-Batch-Webhook/1" },
      body: task.body,
      redirect: "manual",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await res.body?.cancel().catch(() => undefined);
    return res.status >= 200 && res.status < 300 ? "ok" : `status ${res.status}`;
  } catch (err) {
    return (err as { name?: string }).name === "TimeoutError" ? "timeout" : "network error";
  }
}
