/**
 * The durable record of one provider batch job: `batch_jobs/{jobId}/provider_jobs/{displayName}`.
 * The doc id is the group's display name (layer-plan.ts), so recording the intent twice is one
 * `create` that fails the second time, and the same name finds an orphaned provider job.
 *
 * Status: `intent` (written before the provider is called) → `submitted` (the provider job's name
 * is stored) → `settled` (its answers were applied, its items fell back or failed, or it was
 * cancelled). Nothing depends on a provider job before its name is in the record. A job sent as an
 * input file records the file with its name (`inputFile`), so settling can delete it.
 */
import { z } from "zod";
import { ErrorInfo } from "../errors";
import { PROVIDER_JOB_STATES } from "../ai/batch-port";

export const ProviderJobStateField = z.enum(PROVIDER_JOB_STATES);

export const ProviderJobRecord = z.object({
  displayName: z.string().min(1),
  jobId: z.string().min(1),
  pass: z.number().int().nonnegative(),
  layer: z.number().int().nonnegative(),
  chunk: z.number().int().nonnegative(),
  model: z.string().min(1),
  /** `<rowId>/<nodeId>` of every request, in the order sent. */
  itemKeys: z.array(z.string()),
  requestCount: z.number().int().positive(),
  status: z.enum(["intent", "submitted", "settled"]),
  /** The provider's state at the last poll (null before submission). */
  state: ProviderJobStateField.nullable(),
  providerJobName: z.string().nullable(),
  createdAt: z.number(),
  submittedAt: z.number().nullable(),
  /** Past this time an unfinished job is cancelled and its items fall back (or fail). */
  deadlineAt: z.number(),
  lastPolledAt: z.number().nullable(),
  polls: z.number().int().nonnegative(),
  /** Why the record was cancelled by us: the deadline, or the batch's own cancel. */
  cancelledBy: z.enum(["deadline", "user"]).nullable(),
  outcome: z.enum(["results", "fallback", "failed", "cancelled"]).nullable(),
  error: ErrorInfo.nullable(),
  /**
   * Until when one submitter holds the intent (epoch ms): a duplicate delivery of the submitting
   * task that finds the lease held backs off instead of racing past the orphan lookup.
   */
  submitLeaseUntil: z.number().optional(),
  /** Until when one canceller holds the record (the batch's cancel: provider call, then settle). */
  cancelLeaseUntil: z.number().optional(),
  /**
   * The provider's input file the job was created from (a job beyond the inline limit), stored
   * with its name; deleted once the record settled (best effort: the provider expires it anyway).
   */
  inputFile: z.string().min(1).optional(),
  /** Settled with results: what its answered items cost at the standard (realtime) price, USD. */
  fullCostUsd: z.number().nonnegative().optional(),
});
export type ProviderJobRecord = z.infer<typeof ProviderJobRecord>;

export const PROVIDER_JOBS = "provider_jobs";

export function providerJobsCollection(jobId: string): string {
  return `batch_jobs/${jobId}/${PROVIDER_JOBS}`;
}

export function providerJobPath(jobId: string, displayName: string): string {
  return `${providerJobsCollection(jobId)}/${displayName}`;
}

/** Default deadline after which an unfinished provider job falls back: the Batch API's 24 h target. */
export const DEFAULT_PROVIDER_JOB_DEADLINE_MS = 24 * 60 * 60 * 1000;
