/**
 * Token bucket for the queue's max dispatches per second: refills continuously at `ratePerSecond`
 * and holds at most a tenth of a second's worth (at least one), so bursts stay short.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly capacity: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly now: () => number,
  ) {
    this.capacity = Math.max(1, Math.floor(ratePerSecond / 10));
    this.tokens = this.capacity;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) * this.ratePerSecond) / 1000);
    this.last = t;
  }

  available(): number {
    this.refill();
    return this.tokens;
  }

  take(): void {
    this.refill();
    this.tokens -= 1;
  }

  /** When the next whole token will be there. */
  nextTokenAt(): number {
    this.refill();
    if (this.tokens >= 1) return this.now();
    return this.now() + Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond);
  }
}
