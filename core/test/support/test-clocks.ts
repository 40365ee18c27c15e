/**
 * `SteppingClock` jumps forward on every sleep, so polling loops run at once in tests while the
 * sleeps they asked for are recorded. (For held timers use the shared `ManualClock` fake.)
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
