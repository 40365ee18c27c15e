/**
 * The governor port: one gate in front of every AI call, shared by every batch of a deployment
 * (Firebase) or a process (local host), so the provider's per-project, per-model quotas (RPM, TPM,
 * RPD) are respected however many jobs run at once. Contract (checked by
 * `testing/conformance/governor-conformance.ts` on every implementation):
 *
 * 1. Before each AI call the caller asks `acquire({model, kind, estimatedTokens, ...})`. The answer
 *    is exactly one of
 *    - `granted`: a permit is held (a concurrency slot and the request/token budget are taken);
 *      the call may start after `delayMs` (a reservation: 0 when capacity is free now, never more
 *      than the request's `maxDelayMs`);
 *    - `wait`: nothing was taken; a slot may free at any moment (concurrency): ask again after
 *      `waitMs`;
 *    - `defer`: nothing was taken and nothing will be free within `maxDelayMs` (rate, Retry-After,
 *      daily quota): give the work back to the queue and try again after `retryAfterMs`.
 * 2. After the call (or when it was not made) the caller reports the permit exactly once with the
 *    outcome and the actual tokens. Reporting releases the concurrency slot, corrects the token
 *    budget by `actual − estimated`, and feeds the adaptive rate: `rate_limited` cuts the model's
 *    effective rate for everyone (multiplicative decrease, at most once per round of permits) and
 *    blocks the model until its Retry-After has passed; `ok` grows the rate back additively toward
 *    the configured limit. A second report of the same permit is ignored.
 * 3. A permit never reported lapses at its `holdUntil` (a crashed caller cannot leak a slot forever).
 * 4. Keys: the model is always a key; `job` adds per-job concurrency keys (by call kind and by
 *    model) that only that job's calls share.
 * 5. Limits change at runtime with `setLimits`; a lowered rate or concurrency applies to the next
 *    acquire (permits already held finish).
 * 6. Time comes from the injected Clock: implementations are deterministic in virtual time.
 */
import { z } from "zod";

export const CallKind = z.enum(["text", "image", "video"]);
export type CallKind = z.infer<typeof CallKind>;

/** Per-model limits; an absent field is not limited. */
export const ModelLimits = z.object({
  /** Requests per minute. */
  rpm: z.number().positive().optional(),
  /** Input tokens per minute. */
  tpm: z.number().positive().optional(),
  /** Calls in flight at once. */
  concurrency: z.number().int().positive().optional(),
  /** Requests per day (the provider resets it at midnight Pacific time). */
  rpd: z.number().int().positive().optional(),
});
export type ModelLimits = z.infer<typeof ModelLimits>;

/** Model id → limits. A `*` entry applies to models without their own entry. */
export const LimitsTable = z.record(z.string().min(1), ModelLimits);
export type LimitsTable = z.infer<typeof LimitsTable>;

const CallsAtOnce = z.number({ error: "must be a number of calls at once" }).int("must be a whole number").min(1, "must be at least 1");
const unknownKeys = (what: string, known: string) => (issue: { code?: string; keys?: string[] }) =>
  issue.code === "unrecognized_keys" ? `unknown ${what} ${(issue.keys ?? []).map((k) => JSON.stringify(k)).join(", ")}: use ${known}` : undefined;

/**
 * Optional per-job concurrency, e.g. `{byKind: {text: 10, image: 3, video: 1}}`: calls of that
 * kind (or to that model) one job may have in flight at once, on top of the model's shared limits.
 * Strict, so a misspelt kind is an error rather than a limit silently ignored.
 */
export const JobCallLimits = z.strictObject(
  {
    byKind: z
      .strictObject({ text: CallsAtOnce, image: CallsAtOnce, video: CallsAtOnce }, { error: unknownKeys("step type", "text, image or video") })
      .partial()
      .optional(),
    byModel: z.record(z.string().min(1, "a model id must not be empty"), CallsAtOnce).optional(),
  },
  { error: unknownKeys("call limit", "byKind or byModel") },
);
export type JobCallLimits = z.infer<typeof JobCallLimits>;

export interface PermitRequest {
  model: string;
  kind: CallKind;
  /** Input tokens the call is expected to use (counted against TPM, corrected on report). */
  estimatedTokens: number;
  /** Set for batch rows: adds the job's own concurrency keys. */
  job?: { id: string; limits?: JobCallLimits };
  /** The longest reservation the caller will wait in-process; beyond it the answer is `defer`. */
  maxDelayMs: number;
  /** When an unreported permit lapses (e.g. the row's deadline); implementations cap it. */
  holdUntil?: number;
}

export interface Permit {
  id: string;
  model: string;
  kind: CallKind;
  jobId?: string;
  /** Job keys this permit holds a slot in (e.g. `kind:image`, `model:imagen-4`). */
  jobKeys: string[];
  estimatedTokens: number;
  grantedAt: number;
  /** When the call may start (grantedAt + delay). */
  startAt: number;
}

export type DenyReason = "concurrency" | "job_concurrency" | "rpm" | "tpm" | "rpd" | "retry_after";

export type PermitAnswer =
  | { kind: "granted"; permit: Permit; delayMs: number }
  | { kind: "wait"; waitMs: number; reason: DenyReason }
  | { kind: "defer"; retryAfterMs: number; reason: DenyReason };

/** `not_called`: the permit was not used (e.g. the row was cancelled while waiting). */
export type CallOutcome = "ok" | "rate_limited" | "error" | "not_called";

export interface CallReport {
  permit: Permit;
  outcome: CallOutcome;
  /** Input tokens the provider counted; absent = the estimate stands. */
  actualTokens?: number;
  /** The provider's Retry-After for `rate_limited`. */
  retryAfterMs?: number;
}

/** What a host shows about one model (and tests assert on). */
export interface ModelStatus {
  model: string;
  limits: ModelLimits;
  /** The adaptive request rate now in force (absent = the configured limit, or unlimited). */
  effectiveRpm?: number;
  inFlight: number;
  /** No permit for this model before this time (epoch ms; 0 = none). */
  retryUntil: number;
  /** Requests counted today (provider day). */
  dayCount: number;
}

export interface Governor {
  acquire(req: PermitRequest): Promise<PermitAnswer>;
  report(report: CallReport): Promise<void>;
  /** Merges per-model limits; a model mapped to `null` goes back to its default. */
  setLimits(table: Record<string, ModelLimits | null>): Promise<void>;
  status(model: string): Promise<ModelStatus>;
  /**
   * Asked when a reservation's start comes (after waiting out `delayMs`): false when the model got
   * a 429 since the permit was granted whose Retry-After still covers now, i.e. the start was
   * planned on a rate the provider has since refused. The caller then hands the permit back
   * (`not_called`) and asks again, instead of sending a call the provider is known to refuse.
   * Optional: a governor without it has every reservation go at its planned start.
   */
  confirm?(permit: Permit): Promise<boolean>;
}
