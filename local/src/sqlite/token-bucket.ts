/**
 * Token bucket for the queue's max dispatches per second: refills continuously at `ratePerSecond`
 * and holds at most a tenth of a second's worth (at least one), so bursts stay short. A rate of
 * `Infinity` means no rate limit: every call finds tokens.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly capacity: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly now: () => number,
  ) {
    if (!(ratePerSecond > 0)) throw new Error(`dispatches per second must be above 0 (got ${ratePerSecond})`);
    this.capacity = Math.max(1, Math.floor(ratePerSecond / 10));
    this.tokens = this.capacity;
    this.last = now();
  }

  private get unlimited(): boolean {
    return this.ratePerSecond === Infinity;
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) * this.ratePerSecond) / 1000);
    this.last = t;
  }

  available(): number {
    if (this.unlimited) return Infinity;
    this.refill();
    return this.tokens;
  }

  take(): void {
    if (this.unlimited) return;
    this.refill();
    this.tokens -= 1;
  }

  /** When the next whole token will be there. */
  nextTokenAt(): number {
    if (this.unlimited) return this.now();
    this.refill();
    if (this.tokens >= 1) return this.now();
    return this.now() + Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond);
  }
}
