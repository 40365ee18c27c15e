/**
 * Webhook events of a batch: when it finishes (`batch.completed`, `batch.failed`,
 * `batch.cancelled`) or pauses (`batch.paused`). `notifyWebhook` is called once right after the
 * transition commits (finalize, pause) and enqueues ONE delivery task on the batch queue, whose
 * id derives from the event id, so a duplicate call enqueues nothing more. The event id names the
 * transition (`{jobId}:{status}:{pass}`, a pause adds its time), the same in the header and the
 * body on every attempt: receivers use it to drop repeats (delivery is at least once).
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import type { BatchContext } from "../batch/context";
import { readJob } from "../batch/context";
import type { JobStatus } from "../batch/model";
import type { JobState } from "../batch/state";
import { isPaused } from "../batch/statuses";

export const WebhookTask = z.object({
  kind: z.literal("webhook"),
  eventId: z.string(),
  type: z.string(),
  ownerId: z.string(),
  url: z.string(),
  /** The JSON body, frozen when the event happened (signed as these exact bytes). */
  body: z.string(),
});
export type WebhookTask = z.infer<typeof WebhookTask>;

export function isWebhookTask(v: unknown): v is WebhookTask {
  return typeof v === "object" && v !== null && (v as { kind?: unknown }).kind === "webhook";
}

/** The event each status reports (null: none); a table over every status, so a new one must decide. */
const TYPES: Readonly<Record<JobStatus, string | null>> = {
  pending: null,
  processing: null,
  paused: "batch.paused",
  completed: "batch.completed",
  failed: "batch.failed",
  cancelled: "batch.cancelled",
};

export function eventIdOf(job: JobState): string {
  const base = `${job.id}:${job.status}:${job.pass}`;
  return isPaused(job.status) ? `${base}:${job.pausedAt ?? 0}` : base;
}

/** What a receiver gets: the event id and type, and the batch's counts at that moment. */
export function eventBody(job: JobState, eventId: string, at: number): string {
  const batch = {
    id: job.id,
    name: job.name,
    status: job.status,
    pass: job.pass,
    totalRows: job.totalRows,
    completedRows: job.completedRows,
    failedRows: job.failedRows,
    skippedRows: job.skippedRows,
    costUsd: job.costUsd,
    pausedReason: job.pausedReason,
    error: job.error,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
  };
  return JSON.stringify({ id: eventId, type: TYPES[job.status], createdAt: at, batch });
}

export const webhookTaskId = (eventId: string): string => `webhook-${createHash("sha256").update(eventId).digest("hex").slice(0, 40)}`;

/** Enqueues the delivery of the job's current state when it carries a webhook and the state is one to report. */
export async function notifyWebhook(ctx: BatchContext, jobId: string): Promise<void> {
  const job = await readJob(ctx.deps.store, jobId);
  const type = job ? TYPES[job.status] : null;
  if (!job?.webhookUrl || type === null) return;
  const eventId = eventIdOf(job);
  const task: WebhookTask = {
    kind: "webhook",
    eventId,
    type,
    ownerId: job.ownerId,
    url: job.webhookUrl,
    body: eventBody(job, eventId, ctx.deps.clock.now()),
  };
  await ctx.deps.queue.enqueue({ id: webhookTaskId(eventId), payload: task });
  ctx.deps.logger.info({ jobId, eventId }, "webhook queued");
}
