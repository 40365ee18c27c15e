/**
 * The simulated AI provider: text calls take a lognormal latency (in virtual time, via the clock),
 * and fail with a 429 or a permanent 400 at the configured rates. No real timers.
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
}

export class SimAi implements AiService {
  readonly name = "sim";
  calls = 0;
  constructor(private readonly o: FakeAiOptions) {}

  async generateText(req: TextRequest): Promise<TextResult> {
    const { clock, rng } = this.o;
    this.calls += 1;
    const roll = rng.next();
    if (roll < this.o.transient429) {
      await clock.sleep(rng.uniform(...this.o.rejectionMs), req.signal);
      throw new RetryableError("rate_limited", "The AI service is rate limiting requests", this.o.retryAfterMs ?? 1_000);
    }
    const latency = rng.lognormal(this.o.meanMs, this.o.sigma);
    await clock.sleep(latency, req.signal);
    if (roll < this.o.transient429 + this.o.permanent) {
      throw new PermanentError("bad_request", "The AI service rejected the request");
    }
    const words = Math.max(1, Math.round(req.prompt.length / 5));
    return { text: `ok:${req.prompt.length}`, usage: { inputTokens: words, outputTokens: 8, totalTokens: words + 8 }, model: req.model };
  }

  generateImage(): Promise<MediaResult> {
    return Promise.reject(new PermanentError("bad_request", "The simulator serves text only"));
  }
  generateVideo(): Promise<MediaResult> {
    return Promise.reject(new PermanentError("bad_request", "The simulator serves text only"));
  }
}
