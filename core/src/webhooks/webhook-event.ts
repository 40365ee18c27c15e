/**
 * Webhook events of a batch: when it finishes (`batch.completed`, `batch.failed`,
 * `batch.cancelled`) or pauses (`batch.paused`). The transition's own transaction records the
 * event (webhook-outbox.ts); its creation becomes ONE delivery task on the batch queue, whose id
 * derives from the event id, so a repeated trigger enqueues nothing more. The event id names the
 * transition (`{jobId}:{status}:{pass}`, a pause adds its time), the same in the header and the
 * body on every attempt: receivers use it to drop repeats (delivery is at least once).
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import type { JobState } from "../batch/state";
import { isPaused } from "../batch/statuses";

export const WebhookTask = z.object({
  kind: z.literal("webhook"),
  /** The batch (names the event document; absent on tasks queued before events were recorded). */
  jobId: z.string().optional(),
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

export const WEBHOOK_TYPES = { completed: "batch.completed", failed: "batch.failed", cancelled: "batch.cancelled", paused: "batch.paused" } as const;

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
  return JSON.stringify({ id: eventId, type: WEBHOOK_TYPES[job.status as keyof typeof WEBHOOK_TYPES], createdAt: at, batch });
}

/**
 * The delivery task's id: `webhook-{jobId}-p{hash of the event id}`. Deterministic (a repeated
 * enqueue is "exists"), and it holds `-{jobId}-p` like the job's row tasks, so a delete's purge of
 * the host's task records takes it too.
 */
export const webhookTaskId = (jobId: string, eventId: string): string => `webhook-${jobId}-p${createHash("sha256").update(eventId).digest("hex").slice(0, 40)}`;

/** The event a transition to `job`'s state reports, or null when there is none (no webhook, or a state not reported). */
export function webhookEventOf(job: JobState, at: number): WebhookTask | null {
  if (!job.webhookUrl || !(job.status in WEBHOOK_TYPES)) return null;
  const eventId = eventIdOf(job);
  return {
    kind: "webhook",
    jobId: job.id,
    eventId,
    type: WEBHOOK_TYPES[job.status as keyof typeof WEBHOOK_TYPES],
    ownerId: job.ownerId,
    url: job.webhookUrl,
    body: eventBody(job, eventId, at),
  };
}
