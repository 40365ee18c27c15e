/**
 * Veo through `@google/genai`: start the long-running operation, poll it with the injected clock
 * until done, classify an operation error, then take the bytes inline (`videoBytes`) or download
 * the file URI. The API key header is sent only to trusted origins, and never across a redirect.
 */
import type { GenerateVideosConfig, GenerateVideosOperation, GoogleGenAI } from "@google/genai";
import { RetryableError } from "../errors";
import type { Logger } from "../logger";
import type { Clock } from "../ports/clock";
import { ResponseFailure, rpcCodeToHttpStatus } from "./classify-error";
import { keyedGet } from "./keyed-get";
import { type MediaResult, type VideoRequest, ZERO_USAGE } from "./port";

export interface VideoDeps {
  ai: GoogleGenAI;
  clock: Clock;
  apiKey: string | undefined;
  /** Origins that may receive the API key header when downloading a video file. */
  trustedOrigins: readonly string[];
  defaultPollIntervalMs: number;
  timeoutMs: number;
  logger: Logger;
}

/** Veo reports no token usage. */
export async function generateVideoWithPolling(deps: VideoDeps, req: VideoRequest): Promise<MediaResult> {
  const config: GenerateVideosConfig = { numberOfVideos: 1 };
  if (req.aspectRatio) config.aspectRatio = req.aspectRatio;
  if (req.durationSeconds !== undefined) config.durationSeconds = req.durationSeconds;
  if (req.signal) config.abortSignal = req.signal;
  const started = deps.clock.now();
  let op = await deps.ai.models.generateVideos({ model: req.model, source: { prompt: req.prompt }, config });
  let polls = 0;
  while (!op.done) {
    if (deps.clock.now() - started > deps.timeoutMs) throw new ResponseFailure({ kind: "timeout" });
    await sleep(deps.clock, req.pollIntervalMs ?? deps.defaultPollIntervalMs, req.signal);
    op = await deps.ai.operations.getVideosOperation({ operation: op, config: signalConfig(req.signal) });
    polls++;
  }
  deps.logger.debug({ provider: "gemini", model: req.model, polls }, "video operation done");
  const video = firstVideo(op);
  if (video.videoBytes) {
    const data = new Uint8Array(Buffer.from(video.videoBytes, "base64"));
    return { data, mimeType: video.mimeType ?? "video/mp4", usage: ZERO_USAGE, model: req.model };
  }
  const downloaded = await download(deps, video.uri ?? "", req.signal);
  return {
    data: downloaded.data,
    mimeType: video.mimeType ?? downloaded.mimeType ?? "video/mp4",
    usage: ZERO_USAGE,
    model: req.model,
  };
}

function signalConfig(signal: AbortSignal | undefined): { abortSignal?: AbortSignal } {
  return signal ? { abortSignal: signal } : {};
}

async function sleep(clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await clock.sleep(ms, signal);
  } catch {
    throw new RetryableError("cancelled", "Gemini call cancelled");
  }
}

/** The finished operation's first video, or the failure it reports. */
function firstVideo(op: GenerateVideosOperation): { uri?: string; videoBytes?: string; mimeType?: string } {
  if (op.error) {
    const code = typeof op.error.code === "number" ? op.error.code : undefined;
    const message = typeof op.error.message === "string" ? op.error.message : undefined;
    throw new ResponseFailure({
      kind: "http",
      status: rpcCodeToHttpStatus(code),
      ...(message ? { providerMessage: message } : {}),
    });
  }
  const response = op.response;
  const video = response?.generatedVideos?.[0]?.video;
  if (video && (video.videoBytes || video.uri)) return video;
  if ((response?.raiMediaFilteredCount ?? 0) > 0) {
    throw new ResponseFailure({ kind: "safety", reason: "Veo RAI filter" });
  }
  throw new ResponseFailure({ kind: "empty", what: "video" });
}

/** GET the file; the key goes only to trusted https (or loopback) origins, redirects are followed without it. */
async function download(deps: VideoDeps, uri: string, signal: AbortSignal | undefined): Promise<{ data: Uint8Array; mimeType?: string }> {
  const url = parseUrl(uri);
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
    throw new ResponseFailure({
      kind: "unsupported",
      detail: "Gemini stored the video at a location this provider cannot download (e.g. gs://)",
    });
  }
  const headers: Record<string, string> = {};
  if (deps.apiKey && deps.trustedOrigins.includes(url.origin)) headers["x-goog-api-key"] = deps.apiKey;
  const res = await keyedGet(url, headers, signal);
  const data = new Uint8Array(await res.arrayBuffer());
  const mimeType = res.headers.get("content-type") ?? undefined;
  return mimeType ? { data, mimeType } : { data };
}

function parseUrl(uri: string): URL | undefined {
  try {
    return new URL(uri);
  } catch {
    return undefined;
  }
}
