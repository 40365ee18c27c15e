/**
 * Chooses the AI provider from values a host read from its environment (this module reads none):
 * Gemini when a key or Vertex AI settings are given, otherwise the offline provider.
 */
import { PermanentError } from "../errors";
import type { Logger } from "../logger";
import type { Clock } from "../ports/clock";
import { GeminiAiService } from "./gemini";
import { OfflineAiService } from "./offline";
import type { AiService } from "./port";

export interface CreateAiServiceOptions {
  /** Force a provider; by default Gemini when `apiKey` or `vertexai` is set, else offline. */
  provider?: "gemini" | "offline";
  apiKey?: string;
  vertexai?: { project?: string; location?: string };
  /** Gemini endpoint override; when absent the SDK reads GOOGLE_GEMINI_BASE_URL itself. */
  baseUrl?: string;
  pollIntervalMs?: number;
  offlineLatencyMs?: number;
  offlineJitterMs?: number;
  offlineSeed?: number;
  /** How long the offline provider's simulated batch jobs take. */
  offlineBatchDelayMs?: number;
  clock?: Clock;
  logger?: Logger;
}

export function createAiService(opts: CreateAiServiceOptions = {}): AiService {
  const apiKey = opts.apiKey?.trim() || undefined;
  const hasGemini = apiKey !== undefined || opts.vertexai !== undefined;
  const provider = opts.provider ?? (hasGemini ? "gemini" : "offline");
  switch (provider) {
    case "offline":
      return new OfflineAiService({
        ...(opts.offlineLatencyMs !== undefined ? { latencyMs: opts.offlineLatencyMs } : {}),
        ...(opts.offlineJitterMs !== undefined ? { jitterMs: opts.offlineJitterMs } : {}),
        ...(opts.offlineSeed !== undefined ? { seed: opts.offlineSeed } : {}),
        ...(opts.offlineBatchDelayMs !== undefined ? { batchDelayMs: opts.offlineBatchDelayMs } : {}),
        ...(opts.clock ? { clock: opts.clock } : {}),
      });
    case "gemini":
      if (!hasGemini) throw new PermanentError("auth", "The Gemini provider needs GEMINI_API_KEY or Vertex AI settings");
      return new GeminiAiService({
        ...(apiKey ? { apiKey } : {}),
        ...(opts.vertexai ? { vertexai: opts.vertexai } : {}),
        ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}),
        ...(opts.pollIntervalMs !== undefined ? { pollIntervalMs: opts.pollIntervalMs } : {}),
        ...(opts.clock ? { clock: opts.clock } : {}),
        ...(opts.logger ? { logger: opts.logger } : {}),
      });
  }
}
