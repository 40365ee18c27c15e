/**
 * A token bucket for dispatches per second, the one every queue of the product uses (the local
 * SQLite queue, the in-memory fake, the simulator's model of Cloud Tasks): it refills continuously
 * at `ratePerSecond`, holds at most `burst` tokens (default the rate, at least 1) and starts full.
 * A rate of `Infinity` is no limit: every call finds a token. Time comes from the caller (ms), so
 * real and virtual clocks drive it alike. A token short of 1 by floating-point noise counts as
 * whole (else a refill never quite gets there).
 */
const NOISE = 1e-9;

export class TokenBucket {
  private tokens: number;
  private last: number;
  readonly burst: number;

  constructor(
    readonly ratePerSecond: number,
    now: number,
    burst?: number,
  ) {
    if (!(ratePerSecond > 0)) throw new Error(`dispatches per second must be above 0 (got ${ratePerSecond})`);
    this.burst = ratePerSecond === Infinity ? Infinity : Math.max(1, Math.floor(burst ?? ratePerSecond));
    this.tokens = this.burst;
    this.last = now;
  }

  private get unlimited(): boolean {
    return this.ratePerSecond === Infinity;
  }

  private refill(now: number): void {
    if (this.unlimited || now <= this.last) return;
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.ratePerSecond) / 1000);
    this.last = now;
  }

  /** Whole tokens available now (Infinity without a limit). */
  available(now: number): number {
    if (this.unlimited) return Infinity;
    this.refill(now);
    return Math.floor(this.tokens + NOISE);
  }

  /** Spends one token (the caller checked `available`, or takes the debt knowingly). */
  take(now: number): void {
    if (this.unlimited) return;
    this.refill(now);
    this.tokens -= 1;
  }

  /** Takes one token if there is one. */
  tryTake(now: number): boolean {
    if (this.available(now) < 1) return false;
    this.take(now);
    return true;
  }

  /** Whole ms until the next whole token will be there (0 if one is). */
  msToNextToken(now: number): number {
    if (this.available(now) >= 1) return 0;
    return Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond);
  }

  /** When the next whole token will be there (now, if one is). */
  nextTokenAt(now: number): number {
    return now + this.msToNextToken(now);
  }
}
