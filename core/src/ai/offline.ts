/**
 * The offline AI provider: deterministic, no network, for demos, tests and benchmarks.
 *
 * Output
 * - Text: `Offline reply <hash8> (<model>): <first 12 words of the prompt>… [<n> words]`, where the
 *   hash covers model, system instruction, prompt and seed. With `jsonSchema`, a JSON value that
 *   follows the schema's types (objects, arrays, enums, numbers within min/max, …), chosen from the
 *   same hash; `text` is its JSON text.
 * - Image: a small valid PNG (64 px on the long side, shaped by `aspectRatio`) whose two colours
 *   come from the hash.
 * - Video: a placeholder MP4 (`ftyp` box + `free` box with the hash), recognisable by signature
 *   but with no media track: it does not play.
 * - Usage: ~4 characters per token for prompt (+ system) and text output; an image counts 1290
 *   output tokens (Gemini's per-image figure); a video counts none.
 * - Latency: `latencyMs` plus a deterministic jitter in [0, jitterMs) per request, via the injected
 *   clock, so a manual clock controls it.
 *
 * Test markers, matched anywhere in the rendered prompt (so a CSV cell can carry one):
 * - `[[fail]]`            every call fails: PermanentError("bad_request")
 * - `[[safety]]`          every call fails: PermanentError("safety_blocked")
 * - `[[fail-first]]`      the first call with this exact prompt fails: PermanentError("bad_request");
 *                         later calls succeed (demo of "retry failed rows")
 * - `[[retryable-once]]`  the first call with this exact prompt fails:
 *                         RetryableError("rate_limited", retryAfterMs 50); later calls succeed
 * - `[[rate-limit]]`      every call fails: RetryableError("rate_limited", retryAfterMs 20 s), like a
 *                         quota that stays exhausted (rows wait for task retries, then fail)
 * - `[[auth]]`            every call fails: PermanentError("auth"), like a refused API key
 * - `[[unknown-model]]`   every call fails: PermanentError("model_not_found")
 * - `[[daily-quota]]`     every call fails: PermanentError("quota_exhausted"), a spent per-day quota
 * - `[[unreachable]]`     every call fails: RetryableError("unavailable"), like a network outage
 *   (these four are what the batch circuit breaker pauses on)
 * - `[[slow:MS]]`         adds MS milliseconds of latency
 * "First call" is remembered per `OfflineAiService` instance (in memory, not across restarts).
 * Markers are checked after the latency, like a real provider that fails after some time.
 */
import { PermanentError, RetryableError } from "../errors";
import type { Clock } from "../ports/clock";
import { systemClock } from "../system-clock";
import type { AiService, CountTokensRequest, ImageRequest, MediaResult, TextRequest, TextResult, VideoRequest } from "./port";
import { estimateTokens, hashFraction, sampleFromSchema, stableHash, summaryText, usageOf } from "./offline-content";
import { OfflineBatchJobs } from "./offline-batches";
import { encodePng, placeholderMp4, type Rgb } from "./png";

export interface OfflineAiServiceOptions {
  latencyMs?: number;
  jitterMs?: number;
  clock?: Clock;
  seed?: number;
  /** How long a simulated provider batch job takes (offline-batches.ts). Default 2 s. */
  batchDelayMs?: number;
}

/** Output tokens Gemini reports for one generated image. */
export const OFFLINE_IMAGE_OUTPUT_TOKENS = 1290;
const RETRY_AFTER_MS = 50;
/** A quota that stays exhausted asks for a long wait, like Gemini's RetryInfo on a per-minute quota. */
const QUOTA_RETRY_AFTER_MS = 20_000;

/** Markers whose every call fails the same way (a provider-wide cause, not the row's content). */
const ALWAYS_FAILING: [string, () => Error][] = [
  ["[[auth]]", () => new PermanentError("auth", "Offline provider refused the credentials ([[auth]] marker)")],
  ["[[unknown-model]]", () => new PermanentError("model_not_found", "Offline provider does not know the model ([[unknown-model]] marker)")],
  ["[[daily-quota]]", () => new PermanentError("quota_exhausted", "Offline provider's daily quota is exhausted ([[daily-quota]] marker)")],
  ["[[unreachable]]", () => new RetryableError("unavailable", "Could not reach the offline provider ([[unreachable]] marker)")],
];

export class OfflineAiService implements AiService {
  readonly name = "offline";
  private readonly latencyMs: number;
  private readonly jitterMs: number;
  private readonly clock: Clock;
  private readonly seed: string;
  /** Marker → prompts already seen with it (only prompts carrying a once-marker are kept). */
  private readonly seen = new Map<string, Set<string>>();
  /** The Batch API simulation: answers are this provider's realtime answers, after a delay. */
  readonly batches: OfflineBatchJobs;

  constructor(opts: OfflineAiServiceOptions = {}) {
    this.latencyMs = Math.max(0, opts.latencyMs ?? 0);
    this.jitterMs = Math.max(0, opts.jitterMs ?? 0);
    this.clock = opts.clock ?? systemClock;
    this.seed = String(opts.seed ?? 0);
    this.batches = new OfflineBatchJobs(this, { clock: this.clock, ...(opts.batchDelayMs !== undefined ? { delayMs: opts.batchDelayMs } : {}) });
  }

  /** The same approximation as the usage it reports for a text call. */
  countTokens(req: CountTokensRequest): Promise<number> {
    return Promise.resolve(estimateTokens(req.prompt) + estimateTokens(req.system ?? ""));
  }

  async generateText(req: TextRequest): Promise<TextResult> {
    const hash = stableHash("text", req.model, req.system ?? "", req.prompt, this.seed);
    await this.simulate(req.prompt, hash, req.signal);
    const inputTokens = estimateTokens(req.prompt) + estimateTokens(req.system ?? "");
    if (req.jsonSchema) {
      const json = sampleFromSchema(req.jsonSchema, hash);
      const text = JSON.stringify(json);
      return { text, json, usage: usageOf(inputTokens, estimateTokens(text)), model: req.model };
    }
    const text = summaryText(req.model, req.prompt, hash);
    return { text, usage: usageOf(inputTokens, estimateTokens(text)), model: req.model };
  }

  async generateImage(req: ImageRequest): Promise<MediaResult> {
    const hash = stableHash("image", req.model, req.prompt, req.aspectRatio ?? "", this.seed);
    await this.simulate(req.prompt, hash, req.signal);
    const { width, height } = dimensions(req.aspectRatio);
    const a = colour(hash, 0);
    const b = colour(hash, 3);
    const data = encodePng(width, height, (x, y) => ((Math.floor(x / 8) + Math.floor(y / 8)) % 2 === 0 ? a : b));
    return {
      data,
      mimeType: "image/png",
      usage: usageOf(estimateTokens(req.prompt), OFFLINE_IMAGE_OUTPUT_TOKENS),
      model: req.model,
    };
  }

  async generateVideo(req: VideoRequest): Promise<MediaResult> {
    const hash = stableHash("video", req.model, req.prompt, req.aspectRatio ?? "", String(req.durationSeconds ?? ""), this.seed);
    await this.simulate(req.prompt, hash, req.signal);
    const data = placeholderMp4(Buffer.from(hash.slice(0, 16), "hex"));
    return { data, mimeType: "video/mp4", usage: usageOf(estimateTokens(req.prompt), 0), model: req.model };
  }

  /** Waits the configured latency, then applies the prompt's markers. */
  private async simulate(prompt: string, hash: string, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) throw cancelled();
    const jitter = this.jitterMs > 0 ? Math.floor(hashFraction(hash, 7) * this.jitterMs) : 0;
    const delay = this.latencyMs + jitter + slowMarkerMs(prompt);
    if (delay > 0) {
      try {
        await this.clock.sleep(delay, signal);
      } catch {
        throw cancelled();
      }
    }
    if (signal?.aborted) throw cancelled();
    this.applyMarkers(prompt);
  }

  private applyMarkers(prompt: string): void {
    for (const [marker, make] of ALWAYS_FAILING) if (prompt.includes(marker)) throw make();
    if (prompt.includes("[[safety]]")) {
      throw new PermanentError("safety_blocked", "Offline provider blocked the content ([[safety]] marker)");
    }
    if (prompt.includes("[[fail]]")) {
      throw new PermanentError("bad_request", "Offline provider failed the call ([[fail]] marker)");
    }
    if (prompt.includes("[[rate-limit]]")) {
      throw new RetryableError("rate_limited", "Offline provider rate limit ([[rate-limit]] marker)", QUOTA_RETRY_AFTER_MS);
    }
    if (prompt.includes("[[fail-first]]") && this.firstTime("fail-first", prompt)) {
      throw new PermanentError("bad_request", "Offline provider failed the first call ([[fail-first]] marker)");
    }
    if (prompt.includes("[[retryable-once]]") && this.firstTime("retryable-once", prompt)) {
      throw new RetryableError("rate_limited", "Offline provider rate limit ([[retryable-once]] marker)", RETRY_AFTER_MS);
    }
  }

  private firstTime(marker: string, prompt: string): boolean {
    let prompts = this.seen.get(marker);
    if (!prompts) {
      prompts = new Set();
      this.seen.set(marker, prompts);
    }
    if (prompts.has(prompt)) return false;
    prompts.add(prompt);
    return true;
  }
}

function cancelled(): RetryableError {
  return new RetryableError("cancelled", "Offline call cancelled");
}

/** Sum of every `[[slow:MS]]` marker in the prompt. */
export function slowMarkerMs(prompt: string): number {
  let total = 0;
  for (const m of prompt.matchAll(/\[\[slow:(\d{1,7})\]\]/g)) total += Number(m[1]);
  return total;
}

/** 64 px on the long side; "W:H" sets the shape (default square). */
function dimensions(aspectRatio: string | undefined): { width: number; height: number } {
  const m = aspectRatio ? /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(aspectRatio.trim()) : null;
  const w = m ? Number(m[1]) : 1;
  const h = m ? Number(m[2]) : 1;
  if (!(w > 0 && h > 0)) return { width: 64, height: 64 };
  return w >= h ? { width: 64, height: Math.max(1, Math.round((64 * h) / w)) } : { width: Math.max(1, Math.round((64 * w) / h)), height: 64 };
}

function colour(hash: string, slot: number): Rgb {
  const channel = (i: number): number => Math.floor(hashFraction(hash, slot + i) * 256);
  return [channel(0), channel(1), channel(2)];
}
