/**
 * Clocks for AI provider tests. `SteppingClock` jumps forward on every sleep (fast polling tests);
 * `ManualTestClock` holds sleepers until the test advances time (latency tests, no wall time).
 */
import type { Clock } from "../../src/ports/clock";

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error("aborted");
}

/** Every sleep resolves at once and moves `now` forward by its duration. */
export class SteppingClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(private t = 1_000_000) {}
  now(): number {
    return this.t;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw abortError(signal);
    this.sleeps.push(ms);
    this.t += ms;
    await Promise.resolve();
    if (signal?.aborted) throw abortError(signal);
  }
}

interface Sleeper {
  at: number;
  resolve: () => void;
}

/** Sleepers wake only when `advance` moves time past their deadline. */
export class ManualTestClock implements Clock {
  private sleepers: Sleeper[] = [];
  constructor(private t = 0) {}
  now(): number {
    return this.t;
  }
  /** Deadlines of sleepers still waiting, relative to now. */
  pending(): number[] {
    return this.sleepers.map((s) => s.at - this.t);
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      const sleeper: Sleeper = { at: this.t + ms, resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener(
        "abort",
        () => {
          this.sleepers = this.sleepers.filter((s) => s !== sleeper);
          reject(abortError(signal));
        },
        { once: true },
      );
    });
  }
  /** Moves time forward and wakes every sleeper that is due; lets their continuations run. */
  async advance(ms: number): Promise<void> {
    this.t += ms;
    const due = this.sleepers.filter((s) => s.at <= this.t);
    this.sleepers = this.sleepers.filter((s) => s.at > this.t);
    for (const s of due) s.resolve();
    for (let i = 0; i < 10; i++) await Promise.resolve();
  }
}
