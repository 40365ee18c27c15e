/**
 * The webhook outbox: at-least-once delivery across crashes.
 *   1. The transition's own transaction (finalize, pause, cancel of a pending job) creates the
 *      event document `batch_jobs/{jobId}/webhook_events/{key}` (the frozen task: body, url,
 *      owner, type; status `recorded`) and its index entry `webhook_outbox/{key}`.
 *   2. The host delivers the event document's creation (Firestore `onDocumentCreated` with retry;
 *      the local host's SQLite outbox) to `onWebhookEventCreated`: it enqueues the delivery task
 *      (id from the event id, so a repeat is "exists"), then marks the event `queued` and removes
 *      the index entry.
 *   3. Reconcile re-drives index entries older than a minute (`redriveWebhookEvents`): a bounded
 *      query of one small collection, never a scan of jobs.
 *   4. Each delivery attempt records its outcome on the event document (`delivered`, `retrying`,
 *      `failed`, `dropped`; attempts, last error, times): webhook-delivery.ts.
 * A crash anywhere leaves either the index entry (step 3 repairs it) or a queued task (the queue
 * retries it). Deleting the batch removes the event documents with the job's tree and the index
 * entries by job id (delete-job.ts); a delivery whose event document is gone does not POST.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import type { BatchContext } from "../batch/context";
import { jobPath } from "../batch/model";
import type { JobState } from "../batch/state";
import type { Doc, DocumentStore, Transaction } from "../ports/store";
import { webhookEventOf, webhookTaskId, type WebhookTask } from "./webhook-event";

export const WEBHOOK_OUTBOX = "webhook_outbox";
/** How long an event may stay unqueued before reconcile takes over from the trigger. */
export const WEBHOOK_REDRIVE_AFTER_MS = 60_000;
/** Index entries reconcile handles per run (the rest wait for the next run). */
const REDRIVE_BATCH = 200;

export const WebhookEventStatus = z.enum(["recorded", "queued", "retrying", "delivered", "failed", "dropped"]);
export type WebhookEventStatus = z.infer<typeof WebhookEventStatus>;

export const WebhookEventDoc = z.object({
  jobId: z.string(),
  eventId: z.string(),
  type: z.string(),
  ownerId: z.string(),
  url: z.string(),
  body: z.string(),
  createdAt: z.number(),
  status: WebhookEventStatus,
  queuedAt: z.number().nullable().default(null),
  /** Delivery attempts made so far. */
  attempts: z.number().default(0),
  lastAttemptAt: z.number().nullable().default(null),
  /** What the last failed attempt got (`status 500`, `timeout`, a refused address), safe to show. */
  lastError: z.string().nullable().default(null),
  deliveredAt: z.number().nullable().default(null),
});
export type WebhookEventDoc = z.infer<typeof WebhookEventDoc>;

export const OutboxEntry = z.object({ jobId: z.string(), eventId: z.string(), createdAt: z.number() });
export type OutboxEntry = z.infer<typeof OutboxEntry>;

const eventKey = (eventId: string): string => createHash("sha256").update(eventId).digest("hex").slice(0, 40);
export const webhookEventsPath = (jobId: string): string => `${jobPath(jobId)}/webhook_events`;
export const webhookEventPath = (jobId: string, eventId: string): string => `${webhookEventsPath(jobId)}/${eventKey(eventId)}`;
export const outboxEntryPath = (eventId: string): string => `${WEBHOOK_OUTBOX}/${eventKey(eventId)}`;

/**
 * Records the event of a transition to `job` (its state after the transaction's patch) in the
 * transaction `tx`: nothing when the job has no webhook or the state is not reported. Event ids
 * name one transition, which the callers' guards make happen once, so `create` never collides.
 */
export function recordWebhookEvent(tx: Pick<Transaction, "create">, job: JobState, now: number): void {
  const task = webhookEventOf(job, now);
  if (!task) return;
  const doc: WebhookEventDoc = {
    jobId: job.id,
    eventId: task.eventId,
    type: task.type,
    ownerId: task.ownerId,
    url: task.url,
    body: task.body,
    createdAt: now,
    status: "recorded",
    queuedAt: null,
    attempts: 0,
    lastAttemptAt: null,
    lastError: null,
    deliveredAt: null,
  };
  tx.create(webhookEventPath(job.id, task.eventId), doc);
  const entry: OutboxEntry = { jobId: job.id, eventId: task.eventId, createdAt: now };
  tx.create(outboxEntryPath(task.eventId), entry);
}

export const taskOfEvent = (e: WebhookEventDoc): WebhookTask => ({
  kind: "webhook",
  jobId: e.jobId,
  eventId: e.eventId,
  type: e.type,
  ownerId: e.ownerId,
  url: e.url,
  body: e.body,
});

/** The trigger's handler (at least once, idempotent): enqueue the delivery, then mark the event queued. */
export async function onWebhookEventCreated(ctx: BatchContext, doc: Doc): Promise<void> {
  const event = WebhookEventDoc.parse(doc.data);
  await queueEvent(ctx, event);
}

async function queueEvent(ctx: BatchContext, event: WebhookEventDoc): Promise<void> {
  const { store, queue, clock, logger } = ctx.deps;
  const path = webhookEventPath(event.jobId, event.eventId);
  if (event.status === "recorded") {
    const outcome = await queue.enqueue({ id: webhookTaskId(event.jobId, event.eventId), payload: taskOfEvent(event) });
    logger.info({ jobId: event.jobId, eventId: event.eventId, outcome }, "webhook queued");
  }
  await store.runTransaction(async (tx) => {
    const cur = await tx.get(path);
    // A delivery may already have recorded its outcome: never move it back to `queued`.
    if (cur && WebhookEventDoc.parse(cur.data).status === "recorded") tx.update(path, { status: "queued", queuedAt: clock.now() });
    tx.delete(outboxEntryPath(event.eventId));
  });
}

/**
 * Reconcile's part: events recorded more than `olderThanMs` ago whose delivery was never queued
 * (the trigger failed or the process died before it ran) are queued now. An entry whose event
 * document is gone (the batch was deleted) is removed. Returns how many events it queued.
 */
export async function redriveWebhookEvents(ctx: BatchContext, opts: { olderThanMs?: number } = {}): Promise<number> {
  const { store, clock, logger } = ctx.deps;
  const before = clock.now() - (opts.olderThanMs ?? WEBHOOK_REDRIVE_AFTER_MS);
  const entries = await store.query(WEBHOOK_OUTBOX, {
    where: [{ field: "createdAt", op: "<", value: before }],
    orderBy: { field: "createdAt" },
    limit: REDRIVE_BATCH,
  });
  let queued = 0;
  for (const e of entries) {
    try {
      const entry = OutboxEntry.parse(e.data);
      const doc = await store.get(webhookEventPath(entry.jobId, entry.eventId));
      if (!doc) {
        await store.delete(e.path);
        continue;
      }
      await queueEvent(ctx, WebhookEventDoc.parse(doc.data));
      queued += 1;
    } catch (err) {
      logger.error({ path: e.path, error: String(err) }, "webhook event could not be re-driven");
    }
  }
  if (queued > 0) logger.warn({ queued }, "reconcile queued webhook events the trigger had not");
  return queued;
}

/** Removes a deleted batch's outbox entries (its event documents go with the job's tree). */
export async function purgeWebhookOutbox(store: Pick<DocumentStore, "query" | "delete">, jobId: string): Promise<void> {
  const entries = await store.query(WEBHOOK_OUTBOX, { where: [{ field: "jobId", op: "==", value: jobId }] });
  for (const e of entries) await store.delete(e.path);
}

/** Writes a delivery attempt's outcome on the event document; nothing when it is gone (deleted batch). */
export async function recordDeliveryOutcome(ctx: BatchContext, task: WebhookTask, patch: Partial<WebhookEventDoc>): Promise<void> {
  if (!task.jobId) return;
  const path = webhookEventPath(task.jobId, task.eventId);
  const jobId = task.jobId;
  await ctx.deps.store
    .runTransaction(async (tx) => {
      if (await tx.get(path)) tx.update(path, patch);
    })
    .catch((err: unknown) => ctx.deps.logger.warn({ jobId, eventId: task.eventId, error: String(err) }, "webhook outcome not recorded"));
}
