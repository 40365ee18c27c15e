/**
 * `ProviderBatchJobs` on the Gemini Batch API (`ai.batches` in @google/genai 2.x, Gemini API only:
 * Vertex AI batch prediction reads from Cloud Storage or BigQuery, which this does not use).
 * Requests go inline (`src` = inlined requests, each with the item key in `metadata`); answers come
 * back in `dest.inlinedResponses`. Per-item answers are read with the realtime reader
 * (gemini-text.ts) and per-item errors (google.rpc.Status) classified by classify-error.ts, so an
 * item fails exactly as the same realtime call would. Everything thrown is scrubbed of the key.
 */
import { type BatchJob, type GoogleGenAI, type InlinedRequest, type InlinedResponse, JobState } from "@google/genai";
import { type FlowcraftError, PermanentError } from "../errors";
import { type Logger, silentLogger } from "../logger";
import {
  BATCH_ITEM_KEY_FIELD,
  type BatchItem,
  type BatchItemOutcome,
  type CreateBatchJobRequest,
  INLINE_BATCH_LIMIT_BYTES,
  inlineRequestBytes,
  type ProviderBatchJobs,
  type ProviderJob,
  type ProviderJobState,
} from "./batch-port";
import { failureToError, rpcCodeToHttpStatus, toProviderError } from "./classify-error";
import { readTextResult, textConfig, textContents } from "./gemini-text";
import type { CallOptions } from "./port";

export interface GeminiBatchJobsDeps {
  ai: GoogleGenAI;
  apiKey?: string;
  logger?: Logger;
}

/** SDK job states → ours. CANCELLING is still moving; PAUSED and UNSPECIFIED wait like PENDING. */
export function toProviderJobState(state: JobState | undefined): ProviderJobState {
  switch (state) {
    // PARTIALLY_SUCCEEDED (Vertex only): some items failed, and each answer says which.
    case JobState.JOB_STATE_SUCCEEDED:
    case JobState.JOB_STATE_PARTIALLY_SUCCEEDED:
      return "succeeded";
    case JobState.JOB_STATE_FAILED:
      return "failed";
    case JobState.JOB_STATE_CANCELLED:
      return "cancelled";
    case JobState.JOB_STATE_EXPIRED:
      return "expired";
    case JobState.JOB_STATE_RUNNING:
    case JobState.JOB_STATE_UPDATING:
    case JobState.JOB_STATE_CANCELLING:
      return "running";
    case JobState.JOB_STATE_QUEUED:
    case JobState.JOB_STATE_PENDING:
    case JobState.JOB_STATE_PAUSED:
    case JobState.JOB_STATE_UNSPECIFIED:
    case undefined:
      return "pending";
  }
}

export class GeminiBatchJobs implements ProviderBatchJobs {
  readonly provider = "gemini";
  private readonly logger: Logger;

  constructor(private readonly deps: GeminiBatchJobsDeps) {
    this.logger = deps.logger ?? silentLogger;
  }

  async create(req: CreateBatchJobRequest): Promise<ProviderJob> {
    if (req.items.length === 0) throw new PermanentError("bad_request", "A provider batch job needs at least one request");
    if (inlineRequestBytes(req.items) > INLINE_BATCH_LIMIT_BYTES) {
      throw new PermanentError("limit_exceeded", `Inline batch requests must stay under ${INLINE_BATCH_LIMIT_BYTES} bytes; split the job`);
    }
    const src: InlinedRequest[] = req.items.map((item) => ({
      contents: textContents(item.request.prompt),
      config: textConfig(item.request),
      metadata: { [BATCH_ITEM_KEY_FIELD]: item.key },
    }));
    return this.guard("create", req.model, req.signal, async () => {
      const job = await this.deps.ai.batches.create({
        model: req.model,
        src,
        config: { displayName: req.displayName, ...(req.signal ? { abortSignal: req.signal } : {}) },
      });
      return toProviderJob(job, req.model);
    });
  }

  async get(name: string, opts: CallOptions = {}): Promise<ProviderJob> {
    return this.guard("get", "", opts.signal, async () => toProviderJob(await this.deps.ai.batches.get({ name, config: signalConfig(opts) }), ""));
  }

  async cancel(name: string, opts: CallOptions = {}): Promise<void> {
    await this.guard("cancel", "", opts.signal, () => this.deps.ai.batches.cancel({ name, config: signalConfig(opts) }));
  }

  async findByDisplayName(displayName: string, opts: CallOptions = {}): Promise<ProviderJob[]> {
    return this.guard("list", "", opts.signal, async () => {
      // The Gemini API takes no list filter: page through and match here.
      const found: ProviderJob[] = [];
      const pager = await this.deps.ai.batches.list({ config: { pageSize: 100, ...signalConfig(opts) } });
      for await (const job of pager) if (job.displayName === displayName) found.push(toProviderJob(job, ""));
      return found;
    });
  }

  async results(name: string, items: readonly BatchItem[], opts: CallOptions = {}): Promise<BatchItemOutcome[]> {
    const job = await this.guard("get", "", opts.signal, () => this.deps.ai.batches.get({ name, config: signalConfig(opts) }));
    const state = toProviderJobState(job.state);
    if (state !== "succeeded") throw new PermanentError("failed_precondition", `Provider batch job is ${state}, not succeeded`);
    const responses = job.dest?.inlinedResponses;
    if (!responses) throw new PermanentError("model_error", "Gemini batch job has no inline responses (file output is not read)");
    const byKey = new Map<string, InlinedResponse>();
    responses.forEach((r, i) => byKey.set(r.metadata?.[BATCH_ITEM_KEY_FIELD] ?? items[i]?.key ?? "", r));
    return items.map((item) => this.outcome(item, byKey.get(item.key)));
  }

  private outcome(item: BatchItem, answer: InlinedResponse | undefined): BatchItemOutcome {
    if (!answer) return { key: item.key, ok: false, error: new PermanentError("model_error", "Gemini batch job returned no answer for this request") };
    if (answer.error) return { key: item.key, ok: false, error: this.itemError(answer.error) };
    try {
      if (!answer.response) throw new PermanentError("model_error", "Gemini batch job returned no answer for this request");
      return { key: item.key, ok: true, result: readTextResult(answer.response, item.request) };
    } catch (err) {
      return { key: item.key, ok: false, error: toProviderError(err, { secrets: [this.deps.apiKey] }) };
    }
  }

  /** A per-item google.rpc.Status, classified as the same HTTP status would be for a realtime call. */
  private itemError(status: NonNullable<InlinedResponse["error"]>): FlowcraftError {
    const { code, message } = status as { code?: number; message?: string };
    const failure = { kind: "http" as const, status: rpcCodeToHttpStatus(code), ...(message ? { providerMessage: message } : {}) };
    return failureToError(failure, [this.deps.apiKey]);
  }

  private async guard<T>(op: string, model: string, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      let error = toProviderError(err, { signal, secrets: [this.deps.apiKey] });
      // A 404 on a job's own path means the job is gone, not that a model is unknown.
      if (error.code === "model_not_found" && op !== "create") error = new PermanentError("not_found", "Gemini has no such batch job (404)");
      this.logger.warn({ provider: "gemini", op: `batches.${op}`, model, code: error.code, retryable: error.retryable }, "batch call failed");
      throw error;
    }
  }
}

function signalConfig(opts: CallOptions): { abortSignal?: AbortSignal } {
  return opts.signal ? { abortSignal: opts.signal } : {};
}

function toProviderJob(job: BatchJob, model: string): ProviderJob {
  const createdAt = job.createTime ? Date.parse(job.createTime) : NaN;
  return {
    name: job.name ?? "",
    displayName: job.displayName ?? "",
    model: (job.model ?? model).replace(/^models\//, ""),
    state: toProviderJobState(job.state),
    ...(Number.isFinite(createdAt) ? { createdAt } : {}),
  };
}
