/**
 * `ProviderBatchJobs` on the Gemini Batch API (`ai.batches` in @google/genai 2.x, Gemini API only:
 * Vertex AI batch prediction reads from Cloud Storage or BigQuery, which this does not use).
 * Up to the inline limit (`INLINE_BATCH_LIMIT_BYTES`) requests go inline (`src` = inlined requests,
 * each with the item key in `metadata`) and answers come back in `dest.inlinedResponses`. Beyond
 * it, up to `FILE_BATCH_LIMIT_BYTES`, they go as a JSONL input file through the Files API (`src` =
 * the file's name) and answers come back in the output file `dest.fileName`, read as a stream and
 * matched by key (gemini-batch-files.ts). Per-item answers are read with the realtime reader
 * (gemini-text.ts) and per-item errors (google.rpc.Status) classified by classify-error.ts, so an
 * item fails exactly as the same realtime call would. Everything thrown is scrubbed of the key.
 */
import { ApiError, type BatchJob, type GenerateContentResponse, type GoogleGenAI, type InlinedRequest, type InlinedResponse, JobState } from "@google/genai";
import { type FlowcraftError, PermanentError, RetryableError } from "../errors";
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
import { FILE_BATCH_LIMIT_BYTES, type FileRouteDeps, inputFileName, keyOfBrokenLine, readOutputLines, uploadInputFile } from "./gemini-batch-files";
import { readTextResult, textConfig, textContents } from "./gemini-text";
import type { CallOptions } from "./port";

export interface GeminiBatchJobsDeps {
  ai: GoogleGenAI;
  apiKey?: string;
  logger?: Logger;
  /** Where output files are downloaded from (default: the Gemini API's origin). */
  baseUrl?: string;
  /** Request bytes sent inline before the file route is taken (default `INLINE_BATCH_LIMIT_BYTES`). */
  inlineLimitBytes?: number;
  /** Request bytes one job may hold through an input file (default `FILE_BATCH_LIMIT_BYTES`). */
  fileLimitBytes?: number;
}

/** One answer as the provider gives it, inline or from an output-file line. */
interface ItemAnswer {
  response?: GenerateContentResponse;
  error?: InlinedResponse["error"];
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
  readonly maxJobRequestBytes: number;
  private readonly inlineLimitBytes: number;
  private readonly logger: Logger;
  private readonly files: FileRouteDeps;

  constructor(private readonly deps: GeminiBatchJobsDeps) {
    this.logger = deps.logger ?? silentLogger;
    this.inlineLimitBytes = deps.inlineLimitBytes ?? INLINE_BATCH_LIMIT_BYTES;
    this.maxJobRequestBytes = Math.max(this.inlineLimitBytes, deps.fileLimitBytes ?? FILE_BATCH_LIMIT_BYTES);
    this.files = { ai: deps.ai, baseUrl: deps.baseUrl ?? "https://generativelanguage.googleapis.com", ...(deps.apiKey ? { apiKey: deps.apiKey } : {}) };
  }

  async create(req: CreateBatchJobRequest): Promise<ProviderJob> {
    if (req.items.length === 0) throw new PermanentError("bad_request", "A provider batch job needs at least one request");
    const bytes = inlineRequestBytes(req.items);
    if (bytes > this.maxJobRequestBytes) {
      throw new PermanentError(
        "limit_exceeded",
        `A Gemini batch job holds at most ${this.maxJobRequestBytes} bytes of requests (these are ${bytes}); split the job`,
      );
    }
    if (bytes > this.inlineLimitBytes) return this.createFromFile(req);
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

  /** Uploads the JSONL input file, then creates the job from it; a create the provider refused deletes the file. */
  private async createFromFile(req: CreateBatchJobRequest): Promise<ProviderJob> {
    req.signal?.throwIfAborted();
    const file = await this.guard("files.upload", req.model, req.signal, () => uploadInputFile(this.files, req.displayName, req.items));
    try {
      await req.beforeCreate?.();
      return await this.guard("create", req.model, req.signal, async () => {
        const job = await this.deps.ai.batches.create({
          model: req.model,
          src: file,
          config: { displayName: req.displayName, ...(req.signal ? { abortSignal: req.signal } : {}) },
        });
        return toProviderJob(job, req.model);
      });
    } catch (err) {
      // A permanent refusal made no job; a retryable one may have (the next submit looks first), so the file stays for it.
      if (err instanceof PermanentError) await this.deleteInputFile(file).catch(() => undefined);
      throw err;
    }
  }

  inputFileFor(displayName: string, items: readonly BatchItem[]): string | undefined {
    return inlineRequestBytes(items) > this.inlineLimitBytes ? inputFileName(displayName) : undefined;
  }

  async deleteInputFile(fileName: string, opts: CallOptions = {}): Promise<void> {
    await this.guard("files.delete", "", opts.signal, async () => {
      try {
        await this.deps.ai.files.delete({ name: fileName, config: signalConfig(opts) });
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 404)) throw err;
      }
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
    const outputFile = job.dest?.fileName;
    if (outputFile) return this.guard("files.download", "", opts.signal, () => this.fileResults(outputFile, items, opts.signal));
    const responses = job.dest?.inlinedResponses;
    if (!responses) throw new PermanentError("model_error", "Gemini batch job has neither inline responses nor an output file");
    const byKey = new Map<string, InlinedResponse>();
    responses.forEach((r, i) => byKey.set(r.metadata?.[BATCH_ITEM_KEY_FIELD] ?? items[i]?.key ?? "", r));
    return items.map((item) => this.outcome(item, byKey.get(item.key)));
  }

  /**
   * Answers from the JSONL output file, matched by key (a line without one answers the item at its
   * position: the API writes answers in input order). Only the outcomes are kept, not the lines. A
   * line that does not parse fails its item alone (found by the key at its start, else by its
   * position) with a retryable error, so that call is made again realtime.
   */
  private async fileResults(fileName: string, items: readonly BatchItem[], signal: AbortSignal | undefined): Promise<BatchItemOutcome[]> {
    const index = new Map(items.map((item, i) => [item.key, i]));
    const outcomes: Array<BatchItemOutcome | undefined> = new Array<BatchItemOutcome | undefined>(items.length);
    const broken = new Map<number, number>(); // item position → output line number
    let position = 0;
    for await (const line of readOutputLines(this.files, fileName, signal)) {
      const at = position++;
      const parsed = line.truncated ? undefined : parseLine(line.text);
      const key = parsed ? (parsed.key ?? items[at]?.key) : keyOfBrokenLine(line.text);
      const i = key === undefined ? undefined : index.get(key);
      if (!parsed) {
        if (i !== undefined) outcomes[i] ??= this.brokenLine(items[i]!, line.line, line.truncated);
        else broken.set(at, line.line);
        continue;
      }
      if (i !== undefined && outcomes[i] === undefined) outcomes[i] = this.outcome(items[i]!, parsed);
    }
    return items.map((item, i) => {
      const lineNo = broken.get(i);
      return outcomes[i] ?? (lineNo !== undefined ? this.brokenLine(item, lineNo, false) : this.outcome(item, undefined));
    });
  }

  private brokenLine(item: BatchItem, line: number, truncated: boolean): BatchItemOutcome {
    const why = truncated ? "is too long to read" : "is not a valid answer";
    return { key: item.key, ok: false, error: new RetryableError("unavailable", `Line ${line} of the Gemini batch output file ${why}`) };
  }

  private outcome(item: BatchItem, answer: ItemAnswer | undefined): BatchItemOutcome {
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
      // A 404 on a job's (or file's) own path means it is gone, not that a model is unknown.
      if (error.code === "model_not_found" && op !== "create") {
        error = new PermanentError("not_found", op.startsWith("files.") ? "Gemini has no such file (404)" : "Gemini has no such batch job (404)");
      }
      const call = op.startsWith("files.") ? op : `batches.${op}`;
      this.logger.warn({ provider: "gemini", op: call, model, code: error.code, retryable: error.retryable }, "batch call failed");
      throw error;
    }
  }
}

/** One output line: `{key, response}` or `{key, error}`; undefined when it is not such an object. */
function parseLine(text: string): (ItemAnswer & { key?: string }) | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const v = value as { key?: unknown; response?: unknown; error?: unknown };
  const isObject = (x: unknown): boolean => typeof x === "object" && x !== null && !Array.isArray(x);
  if (!isObject(v.response) && !isObject(v.error)) return undefined;
  return {
    ...(typeof v.key === "string" ? { key: v.key } : {}),
    ...(isObject(v.response) ? { response: v.response as GenerateContentResponse } : {}),
    ...(isObject(v.error) ? { error: v.error as ItemAnswer["error"] } : {}),
  };
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
