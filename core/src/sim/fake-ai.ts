/**
 * The simulated AI provider: text calls take a lognormal latency (in virtual time, via the clock),
 * and fail with a 429 or a permanent 400 at the configured rates. With `quotaRpm` the provider
 * enforces a per-minute quota instead of random 429s: a GCRA bucket (one second of burst) checked
 * when the call arrives, answering 429 with Retry-After = when the next call would conform. No
 * real timers.
 */
import { PermanentError, RetryableError } from "../errors";
import type { AiService, MediaResult, TextRequest, TextResult } from "../ai/port";
import type { Clock } from "../ports/clock";
import type { Range } from "./faults";
import type { Rng } from "./random";

export interface FakeAiOptions {
  clock: Clock;
  rng: Rng;
  meanMs: number;
  sigma: number;
  transient429: number;
  permanent: number;
  rejectionMs: Range;
  retryAfterMs?: number;
  /** The provider's real requests/min for every model; absent = unlimited (random 429s apply). */
  quotaRpm?: number;
  /** Called for every call the provider served (answered other than 429), with its latency. */
  onServed?: (req: TextRequest, at: number, latencyMs: number) => void;
}

export class SimAi implements AiService {
  readonly name = "sim";
  calls = 0;
  /** Calls answered 429 (quota or injected fault). */
  rateLimited = 0;
  private quotaTat = 0;
  constructor(private readonly o: FakeAiOptions) {}

  async generateText(req: TextRequest): Promise<TextResult> {
    const { clock, rng } = this.o;
    this.calls += 1;
    const roll = rng.next();
    const quotaWait = this.takeQuota(clock.now());
    const random429 = this.o.quotaRpm === undefined && roll < this.o.transient429;
    if (quotaWait > 0 || random429) {
      this.rateLimited += 1;
      await clock.sleep(rng.uniform(...this.o.rejectionMs), req.signal);
      const retryAfterMs = quotaWait > 0 ? Math.max(1, Math.ceil(quotaWait)) : (this.o.retryAfterMs ?? 1_000);
      throw new RetryableError("rate_limited", "The AI service is rate limiting requests", retryAfterMs);
    }
    const latency = rng.lognormal(this.o.meanMs, this.o.sigma);
    this.o.onServed?.(req, clock.now(), latency);
    await clock.sleep(latency, req.signal);
    // The permanent band sits above the 429 band, so it stays 2% when a quota replaces the random 429s.
    if (roll >= this.o.transient429 && roll < this.o.transient429 + this.o.permanent) {
      throw new PermanentError("bad_request", "The AI service rejected the request");
    }
    const words = Math.max(1, Math.round(req.prompt.length / 5));
    return { text: `ok:${req.prompt.length}`, usage: { inputTokens: words, outputTokens: 8, totalTokens: words + 8 }, model: req.model };
  }

  /** 0 when the call fits the quota (and is counted), else ms until one would. */
  private takeQuota(now: number): number {
    const rpm = this.o.quotaRpm;
    if (rpm === undefined) return 0;
    const interval = 60_000 / rpm;
    const burstMs = 1_000;
    if (this.quotaTat - burstMs > now) return this.quotaTat - burstMs - now;
    this.quotaTat = Math.max(this.quotaTat, now) + interval;
    return 0;
  }

  generateImage(): Promise<MediaResult> {
    return Promise.reject(new PermanentError("bad_request", "The simulator serves text only"));
  }
  generateVideo(): Promise<MediaResult> {
    return Promise.reject(new PermanentError("bad_request", "The simulator serves text only"));
  }
}
