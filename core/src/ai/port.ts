/**
 * The AI service port. Every provider (Gemini through @google/genai, the offline provider, test
 * fakes) implements `AiService`. Contract:
 * - Each call either resolves with a result or rejects with a `RetryableError` / `PermanentError`
 *   from `../errors` (never a raw SDK error: those can carry request URLs with the key).
 * - `signal` aborts the call; an aborted call rejects with `RetryableError("cancelled")`.
 * - Providers do not retry on their own; one layer (the row runner) owns retries of a node.
 * - Usage is reported when the provider reports it; media is returned as bytes (the caller stores
 *   it in a blob store and keeps a reference).
 */
import type { ProviderBatchJobs } from "./batch-port";

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

export const ZERO_USAGE: Usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    totalTokens: a.totalTokens + b.totalTokens,
  };
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface TextRequest extends CallOptions {
  model: string;
  /** Sent verbatim as one user text part. */
  prompt: string;
  /** Sent as `systemInstruction`. */
  system?: string;
  temperature?: number;
  maxOutputTokens?: number;
  /** When set, ask for JSON matching this schema; `TextResult.json` holds the parsed value. */
  jsonSchema?: Record<string, unknown>;
}

export interface TextResult {
  text: string;
  json?: unknown;
  usage: Usage;
  model: string;
}

export interface ImageRequest extends CallOptions {
  model: string;
  prompt: string;
  aspectRatio?: string;
}

export interface MediaResult {
  data: Uint8Array;
  mimeType: string;
  usage: Usage;
  model: string;
}

export interface VideoRequest extends CallOptions {
  model: string;
  prompt: string;
  aspectRatio?: string;
  durationSeconds?: number;
  /** How often to poll the long-running operation. */
  pollIntervalMs?: number;
}

/** A prompt whose input tokens are counted, without generating anything. */
export interface CountTokensRequest extends CallOptions {
  model: string;
  prompt: string;
  system?: string;
}

export interface AiService {
  readonly name: string;
  generateText(req: TextRequest): Promise<TextResult>;
  generateImage(req: ImageRequest): Promise<MediaResult>;
  generateVideo(req: VideoRequest): Promise<MediaResult>;
  /**
   * Input tokens the model would count for the prompt (and system instruction). Generates nothing
   * and costs nothing. Optional: without it, callers use the ~4 characters per token approximation.
   */
  countTokens?(req: CountTokensRequest): Promise<number>;
  /** Provider batch jobs (batch-port.ts), for the economy mode; absent when the provider has none. */
  readonly batches?: ProviderBatchJobs;
}
