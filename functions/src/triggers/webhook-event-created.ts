/**
 * `batch_jobs/{jobId}/webhook_events/{eventKey}` created (by the finalize, pause or cancel
 * transaction, in the same commit as the transition) → queue the event's delivery task. Delivered
 * at least once and retried on failure (`retry: true`); the core handler is idempotent (the task id
 * comes from the event id, and the event only moves from `recorded` to `queued`). If this trigger
 * never succeeds, reconcile queues the event after a minute (webhooks/webhook-outbox.ts).
 */
import type { Doc } from "@flowcraft/core";
import { onDocumentCreated } from "firebase-functions/v2/firestore";
import { TRIGGER_TIMEOUT_SECONDS } from "../config/function-options";
import { getDeps } from "../runtime/deps";
import { acknowledgePermanent } from "./retry-policy";

export const onWebhookEventCreated = onDocumentCreated(
  { document: "batch_jobs/{jobId}/webhook_events/{eventKey}", retry: true, timeoutSeconds: TRIGGER_TIMEOUT_SECONDS, memory: "256MiB" },
  async (event) => {
    const deps = getDeps({ withAi: false });
    const path = `batch_jobs/${event.params.jobId}/webhook_events/${event.params.eventKey}`;
    const doc: Doc | null = event.data ? { id: event.data.id, path, data: event.data.data() } : await deps.store.get(path);
    if (!doc) {
      // The batch was deleted since: nothing to deliver.
      deps.logger.warn({ path }, "webhook event without a document");
      return;
    }
    const eventDoc = doc;
    await acknowledgePermanent(deps.logger, { path, trigger: "webhook-event-created" }, () => deps.handlers.onWebhookEventCreated(eventDoc));
  },
);
