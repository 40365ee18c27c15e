/**
 * Token bucket for dispatches per second: refills continuously at `ratePerSecond`, holds at most
 * `burst` tokens (default: the rate, at least 1), starts full. Time comes from the caller.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly burst: number;

  constructor(
    private readonly ratePerSecond: number,
    now: number,
    burst?: number,
  ) {
    if (!(ratePerSecond > 0)) throw new Error("maxDispatchesPerSecond must be positive");
    this.burst = Math.max(1, burst ?? Math.floor(ratePerSecond));
    this.tokens = this.burst;
    this.last = now;
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.ratePerSecond) / 1000);
      this.last = now;
    }
  }

  /** Takes one token if available. */
  tryTake(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1 - 1e-9) return false;
    this.tokens -= 1;
    return true;
  }

  /** When the next whole token will be available (now, if one is). */
  nextTokenAt(now: number): number {
    this.refill(now);
    if (this.tokens >= 1 - 1e-9) return now;
    return now + Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond);
  }
}
