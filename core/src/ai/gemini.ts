/**
 * The Gemini provider on `@google/genai`: text and Gemini-image calls through `generateContent`,
 * Imagen through `generateImages` (Vertex AI only in SDK 2.x), Veo through `generateVideos` plus
 * polling (see gemini-video.ts). Every failure leaves as a fresh error from classify-error.ts;
 * the API key never appears in an error or a log line.
 *
 * Base URL: `baseUrl` option, else the SDK's own `GOOGLE_GEMINI_BASE_URL` (read by the SDK when
 * the client is constructed, i.e. in this constructor, never at import). The SDK's own retries
 * stay off: one layer above owns retries.
 */
import { type GenerateContentConfig, GoogleGenAI, type GoogleGenAIOptions, type HttpOptions } from "@google/genai";
import { type FlowcraftError, PermanentError } from "../errors";
import { type Logger, silentLogger } from "../logger";
import type { Clock } from "../ports/clock";
import { systemClock } from "../system-clock";
import { ResponseFailure, toProviderError } from "./classify-error";
import type { ProviderBatchJobs } from "./batch-port";
import { GeminiBatchJobs } from "./gemini-batches";
import { readInlineImage, readUsage } from "./gemini-response";
import { readTextResult, textConfig, textContents } from "./gemini-text";
import { generateVideoWithPolling, type VideoDeps } from "./gemini-video";
import type { AiService, CountTokensRequest, ImageRequest, MediaResult, TextRequest, TextResult, VideoRequest } from "./port";
import { ZERO_USAGE } from "./port";

export interface GeminiAiServiceOptions {
  /** Gemini API key (or a Vertex AI express-mode key together with `vertexai`). */
  apiKey?: string;
  /** Use Vertex AI. With `project`+`location` auth comes from Application Default Credentials. */
  vertexai?: { project?: string; location?: string };
  /** Overrides the endpoint (e.g. a local fake server); otherwise the SDK reads GOOGLE_GEMINI_BASE_URL. */
  baseUrl?: string;
  /** Per-HTTP-request timeout; none by default (the caller's signal / deadline bounds calls). */
  timeoutMs?: number;
  clock?: Clock;
  /** Default poll interval for video operations (ms); a request's own value wins. Default 10 s. */
  pollIntervalMs?: number;
  /** Give up polling a video operation after this long (ms, by the clock). Default 20 min. */
  videoTimeoutMs?: number;
  logger?: Logger;
}

const GEMINI_DEFAULT_ORIGIN = "https://generativelanguage.googleapis.com";

export class GeminiAiService implements AiService {
  readonly name = "gemini";
  private readonly ai: GoogleGenAI;
  private readonly apiKey: string | undefined;
  private readonly vertex: boolean;
  private readonly logger: Logger;
  private readonly video: VideoDeps;
  /** The Batch API (Gemini API only: Vertex AI batch prediction needs Cloud Storage input). */
  readonly batches: ProviderBatchJobs | undefined;

  constructor(opts: GeminiAiServiceOptions) {
    this.apiKey = opts.apiKey?.trim() || undefined;
    this.vertex = opts.vertexai !== undefined;
    if (!this.apiKey && !this.vertex) {
      throw new PermanentError("auth", "Gemini needs an API key or Vertex AI settings");
    }
    this.logger = opts.logger ?? silentLogger;
    this.ai = new GoogleGenAI(this.clientOptions(opts));
    const envBase = this.vertex ? undefined : process.env.GOOGLE_GEMINI_BASE_URL?.trim();
    const base = opts.baseUrl ?? (envBase || undefined) ?? GEMINI_DEFAULT_ORIGIN;
    this.batches = this.vertex ? undefined : new GeminiBatchJobs({ ai: this.ai, apiKey: this.apiKey, logger: this.logger, baseUrl: base });
    this.video = {
      ai: this.ai,
      clock: opts.clock ?? systemClock,
      apiKey: this.apiKey,
      trustedOrigins: [originOf(base), GEMINI_DEFAULT_ORIGIN].filter((o): o is string => o !== undefined),
      defaultPollIntervalMs: opts.pollIntervalMs ?? 10_000,
      timeoutMs: opts.videoTimeoutMs ?? 20 * 60_000,
      logger: this.logger,
    };
  }

  private clientOptions(opts: GeminiAiServiceOptions): GoogleGenAIOptions {
    const httpOptions: HttpOptions = {};
    if (opts.baseUrl) httpOptions.baseUrl = opts.baseUrl;
    if (opts.timeoutMs && opts.timeoutMs > 0) httpOptions.timeout = opts.timeoutMs;
    const options: GoogleGenAIOptions = { vertexai: this.vertex, httpOptions };
    if (this.apiKey) options.apiKey = this.apiKey;
    if (opts.vertexai?.project) options.project = opts.vertexai.project;
    if (opts.vertexai?.location) options.location = opts.vertexai.location;
    return options;
  }

  async generateText(req: TextRequest): Promise<TextResult> {
    const config: GenerateContentConfig = textConfig(req);
    if (req.signal) config.abortSignal = req.signal;
    return this.guard("generateText", req, async () => {
      const response = await this.ai.models.generateContent({ model: req.model, contents: textContents(req.prompt), config });
      return readTextResult(response, req);
    });
  }

  /**
   * `models.countTokens`. The Developer API refuses a `systemInstruction` in this call (only Vertex
   * takes it), so the system text is counted as a content of its own there: the same tokens.
   */
  async countTokens(req: CountTokensRequest): Promise<number> {
    return this.guard("countTokens", req, async () => {
      const prompt = { role: "user", parts: [{ text: req.prompt }] };
      const config = req.signal ? { abortSignal: req.signal } : {};
      const system = req.system ? [{ role: "user", parts: [{ text: req.system }] }] : [];
      const params =
        this.vertex && req.system
          ? { model: req.model, contents: [prompt], config: { ...config, systemInstruction: req.system } }
          : { model: req.model, contents: [...system, prompt], config };
      const response = await this.ai.models.countTokens(params);
      return response.totalTokens ?? 0;
    });
  }

  async generateImage(req: ImageRequest): Promise<MediaResult> {
    return this.guard("generateImage", req, () => (req.model.startsWith("imagen-") ? this.imagen(req) : this.geminiImage(req)));
  }

  private async geminiImage(req: ImageRequest): Promise<MediaResult> {
    const config: GenerateContentConfig = { responseModalities: ["TEXT", "IMAGE"] };
    if (req.signal) config.abortSignal = req.signal;
    if (req.aspectRatio) config.imageConfig = { aspectRatio: req.aspectRatio };
    const response = await this.ai.models.generateContent({
      model: req.model,
      contents: [{ role: "user", parts: [{ text: req.prompt }] }],
      config,
    });
    const image = readInlineImage(response);
    return { ...image, usage: readUsage(response), model: response.modelVersion ?? req.model };
  }

  /** Imagen reports no token usage. SDK 2.x supports `generateImages` on Vertex AI only. */
  private async imagen(req: ImageRequest): Promise<MediaResult> {
    if (!this.vertex) {
      throw new ResponseFailure({
        kind: "unsupported",
        detail: "Imagen models need Vertex AI with this SDK; use a Gemini image model (e.g. gemini-2.5-flash-image)",
      });
    }
    const response = await this.ai.models.generateImages({
      model: req.model,
      prompt: req.prompt,
      config: {
        numberOfImages: 1,
        includeRaiReason: true,
        ...(req.aspectRatio ? { aspectRatio: req.aspectRatio } : {}),
        ...(req.signal ? { abortSignal: req.signal } : {}),
      },
    });
    const first = response.generatedImages?.[0];
    const bytes = first?.image?.imageBytes;
    if (!bytes) {
      if (first?.raiFilteredReason) throw new ResponseFailure({ kind: "safety", reason: "Imagen RAI filter" });
      throw new ResponseFailure({ kind: "empty", what: "image" });
    }
    const data = new Uint8Array(Buffer.from(bytes, "base64"));
    return { data, mimeType: first.image?.mimeType ?? "image/png", usage: ZERO_USAGE, model: req.model };
  }

  async generateVideo(req: VideoRequest): Promise<MediaResult> {
    return this.guard("generateVideo", req, () => generateVideoWithPolling(this.video, req));
  }

  /** Runs one provider call; anything thrown leaves as a fresh, scrubbed error. */
  private async guard<T>(op: string, req: { model: string; signal?: AbortSignal }, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const error: FlowcraftError = toProviderError(err, { signal: req.signal, secrets: [this.apiKey] });
      const fields = { provider: "gemini", op, model: req.model, code: error.code, retryable: error.retryable };
      if (error.code === "cancelled") this.logger.debug(fields, "ai call cancelled");
      else this.logger.warn(fields, "ai call failed");
      throw error;
    }
  }
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
