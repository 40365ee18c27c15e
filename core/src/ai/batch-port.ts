/**
 * The provider batch-job port: text requests sent as one provider job (the Gemini Batch API, or
 * the offline provider's simulation) and answered later, at the batch price. Contract:
 * - `create` sends every item of one model in one job, labelled with `displayName`; the caller
 *   records the intent first and, after a crash, finds the job again with `findByDisplayName`
 *   instead of creating it twice (display names are the idempotency key, so keep them unique).
 * - `get` reads the state; no call blocks until a job is done (polling belongs to a delayed task).
 * - `results` reads a succeeded job's answers, one per item, correlated by the item's `key`
 *   (sent as request metadata). Each per-item failure is classified exactly like the same failure
 *   of a realtime call (`RetryableError` / `PermanentError`, never a raw provider error).
 * - A job holds at most `maxJobRequestBytes` of request JSON (`inlineRequestBytes`): inline
 *   requests up to the provider's request-size limit, beyond it (where the provider has one) an
 *   uploaded input file. Callers group items under it; `create` refuses more.
 * - A job created from an uploaded input file names it (`inputFileFor`); once the job settled the
 *   caller deletes it with `deleteInputFile` (best effort: the provider expires files anyway).
 * - Calls fail with `RetryableError` / `PermanentError` like the realtime port; no retries inside.
 */
import type { FlowcraftError } from "../errors";
import type { CallOptions, TextRequest, TextResult } from "./port";

export const PROVIDER_JOB_STATES = ["pending", "running", "succeeded", "failed", "cancelled", "expired"] as const;

export type ProviderJobState = (typeof PROVIDER_JOB_STATES)[number];

/** Nothing changes any more: the job's answers (if any) are final. */
export function isProviderJobTerminal(state: ProviderJobState): boolean {
  switch (state) {
    case "pending":
    case "running":
      return false;
    case "succeeded":
    case "failed":
    case "cancelled":
    case "expired":
      return true;
  }
}

/** The metadata field that carries an item's key through the provider and back. */
export const BATCH_ITEM_KEY_FIELD = "flowcraftKey";

/**
 * Inline requests of one job stay under this many bytes of request JSON. Google documents about
 * 20 MB for an inlined batch; a margin keeps headers and encoding overhead inside it.
 */
export const INLINE_BATCH_LIMIT_BYTES = 19_000_000;

/**
 * One provider job's items stay under this many bytes of item keys (`itemKeys` of the provider-job
 * record, one document: Firestore allows 1 MiB). With short prompts this binds before any byte
 * limit: 512 kB is about 25,000 keys of 20 characters.
 */
export const MAX_JOB_ITEM_KEY_BYTES = 512_000;

export type BatchTextRequest = Omit<TextRequest, "signal">;

export interface BatchItem {
  /** Unique within the job; comes back with the item's answer. */
  key: string;
  request: BatchTextRequest;
}

export interface CreateBatchJobRequest extends CallOptions {
  model: string;
  displayName: string;
  items: readonly BatchItem[];
  /**
   * Called after a slow preparation (an input-file upload), right before the provider's create
   * call; when it throws, no job is created and `create` fails with that error. The caller checks
   * here that it still owns the submit (an upload can outlast its lease).
   */
  beforeCreate?: () => Promise<void>;
}

export interface ProviderJob {
  /** The provider's resource name (`batches/…`): persist it before anything depends on it. */
  name: string;
  displayName: string;
  model: string;
  state: ProviderJobState;
  /** Epoch ms when the provider created the job, when it says. */
  createdAt?: number;
}

export type BatchItemOutcome = { key: string; ok: true; result: TextResult } | { key: string; ok: false; error: FlowcraftError };

export interface ProviderBatchJobs {
  readonly provider: string;
  /** Request bytes one job may hold (`inlineRequestBytes` of its items); a single larger item goes alone. */
  readonly maxJobRequestBytes: number;
  create(req: CreateBatchJobRequest): Promise<ProviderJob>;
  get(name: string, opts?: CallOptions): Promise<ProviderJob>;
  cancel(name: string, opts?: CallOptions): Promise<void>;
  /** Every job with exactly this display name, newest first. */
  findByDisplayName(displayName: string, opts?: CallOptions): Promise<ProviderJob[]>;
  /**
   * Answers of a succeeded job, in the order of `items` (the items the job was created with: the
   * caller keeps them, so JSON-mode items are parsed as in realtime). An item the provider left
   * unanswered comes back as a `model_error`.
   */
  results(name: string, items: readonly BatchItem[], opts?: CallOptions): Promise<BatchItemOutcome[]>;
  /**
   * The input file `create` uploads (or uploaded) for a job with this display name and these items,
   * or undefined when they go inline. Deterministic, so an adopted orphan's file is known too.
   */
  inputFileFor?(displayName: string, items: readonly BatchItem[]): string | undefined;
  /** Deletes an input file once its job settled; a file already gone is not an error. */
  deleteInputFile?(fileName: string, opts?: CallOptions): Promise<void>;
}

/** Bytes of request JSON the items take (what the inline limit counts). */
export function inlineRequestBytes(items: readonly BatchItem[]): number {
  let total = 0;
  for (const item of items) total += Buffer.byteLength(JSON.stringify(item.request), "utf8") + 64;
  return total;
}
