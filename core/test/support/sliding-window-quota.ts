/**
 * A per-model RPM quota as Gemini enforces it, for the fake Gemini server and virtual-clock
 * tests: a model admits at most `rpm` requests in ANY sliding window of `windowMs` (Gemini's rate
 * limits page: with an RPM limit of 20, "sending 21 requests within a minute will result in an
 * error", https://ai.google.dev/gemini-api/docs/rate-limits). Only admitted requests count, so a
 * refused one does not push the window on. A request over the quota gets the delay until the
 * oldest admitted one leaves the window (what a RetryInfo `retryDelay` says). A rolling window has
 * no edges to bunch at, but it remembers a whole window: a client that overshot keeps getting 429s
 * until what it sent a window ago has aged out. Time comes from the caller.
 */

export interface RpmQuota {
  /** Requests admitted per model in any window. */
  rpm: number;
  /** The window (default 60 000 ms: requests per minute); shorter runs the same quota faster. */
  windowMs?: number;
  /** Which requests count (default: generateContent calls). */
  match?: string | RegExp;
  /** Delay before an admitted request is answered (the model's latency; 429s answer at once). */
  latencyMs?: number;
}

export interface QuotaStats {
  admitted: number;
  rejected: number;
  /** Most requests SENT (admitted or not) to one model within any window: what a client asked for. */
  maxSentPerWindow: number;
}

/** Sliding windows per model: admitted request times (the quota) and all sent times (the stats). */
export class SlidingWindowQuota {
  readonly admittedAt = new Map<string, number[]>();
  readonly sentAt = new Map<string, number[]>();
  readonly stats: QuotaStats = { admitted: 0, rejected: 0, maxSentPerWindow: 0 };
  /** Every counted request: when, and whether the quota admitted it. */
  readonly log: Array<{ at: number; ok: boolean }> = [];
  constructor(readonly o: RpmQuota) {}

  get windowMs(): number {
    return this.o.windowMs ?? 60_000;
  }

  /** Counts a request; the delay to ask for when it is over the quota, else null. */
  take(model: string, now: number): number | null {
    const sent = prune(this.sentAt, model, now - this.windowMs);
    sent.push(now);
    this.stats.maxSentPerWindow = Math.max(this.stats.maxSentPerWindow, sent.length);
    const admitted = prune(this.admittedAt, model, now - this.windowMs);
    const ok = admitted.length < this.o.rpm;
    this.log.push({ at: now, ok });
    if (!ok) {
      this.stats.rejected++;
      return (admitted[0] as number) + this.windowMs - now;
    }
    admitted.push(now);
    this.stats.admitted++;
    return null;
  }
}

function prune(map: Map<string, number[]>, model: string, since: number): number[] {
  const times = map.get(model) ?? [];
  let drop = 0;
  while (drop < times.length && (times[drop] as number) <= since) drop++;
  const kept = drop > 0 ? times.slice(drop) : times;
  map.set(model, kept);
  return kept;
}
