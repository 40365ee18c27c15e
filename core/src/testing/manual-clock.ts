/**
 * A virtual clock for tests and the simulator: time moves only when told to. `sleep` and
 * `schedule` register timers in a heap ordered by (time, insertion order); `advance` /
 * `advanceTo` / `runUntilIdle` fire due timers one at a time, letting promise continuations run
 * (a macrotask turn) after each, so code awaiting `sleep` proceeds deterministically.
 * No real timers are used.
 */
import type { Clock } from "../ports/clock";
import { abortReason } from "../system-clock";
import { MinHeap } from "./min-heap";

interface Timer {
  at: number;
  seq: number;
  fire: () => void;
  cancelled: boolean;
}

export interface TimerHandle {
  /** Removes the timer; no-op once fired. */
  cancel(): void;
}

/** Lets every queued microtask and one macrotask turn run. */
export function flushAsync(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class ManualClock implements Clock {
  private time: number;
  private seq = 0;
  private live = 0;
  private readonly heap = new MinHeap<Timer>((a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq));

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const onAbort = () => {
        handle.cancel();
        reject(abortReason(signal));
      };
      const handle = this.schedule(ms, () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Runs `fn` when virtual time reaches now + `delayMs` (negative or NaN counts as 0). */
  schedule(delayMs: number, fn: () => void): TimerHandle {
    return this.scheduleAt(this.time + (delayMs > 0 ? delayMs : 0), fn);
  }

  /** Runs `fn` when virtual time reaches `at` (or on the next step, if `at` has passed). */
  scheduleAt(at: number, fn: () => void): TimerHandle {
    const timer: Timer = { at: Math.max(at, this.time), seq: this.seq++, fire: fn, cancelled: false };
    this.heap.push(timer);
    this.live++;
    return {
      cancel: () => {
        if (timer.cancelled) return;
        timer.cancelled = true;
        this.live--;
      },
    };
  }

  /** Timers not yet fired nor cancelled. */
  get pendingTimers(): number {
    return this.live;
  }

  /** When the next live timer is due, or undefined. */
  nextTimerAt(): number | undefined {
    this.dropCancelled();
    return this.heap.peek()?.at;
  }

  /** Moves time forward by `ms`, firing every timer due on the way. */
  advance(ms: number): Promise<void> {
    return this.advanceTo(this.time + Math.max(0, ms));
  }

  /** Moves time to `t` (never backwards), firing due timers in order, flushing after each. */
  async advanceTo(t: number): Promise<void> {
    await flushAsync();
    for (;;) {
      const next = this.nextTimerAt();
      if (next === undefined || next > t) break;
      this.fireNext();
      await flushAsync();
    }
    if (t > this.time) this.time = t;
  }

  /** Fires the next due timer (advancing time to it); false when none is left. */
  step(): boolean {
    if (this.nextTimerAt() === undefined) return false;
    this.fireNext();
    return true;
  }

  /**
   * Fires timers (jumping time to each) until none remain or `until` is reached. Throws after
   * `maxSteps` timers, which usually means something re-arms a timer forever.
   */
  async runUntilIdle(opts: { until?: number; maxSteps?: number } = {}): Promise<void> {
    const maxSteps = opts.maxSteps ?? 10_000_000;
    let steps = 0;
    await flushAsync();
    for (;;) {
      const next = await this.settledNextTimerAt();
      if (next === undefined || (opts.until !== undefined && next > opts.until)) break;
      if (++steps > maxSteps) throw new Error(`clock still busy after ${maxSteps} timers`);
      this.fireNext();
      await flushAsync();
    }
    if (opts.until !== undefined && opts.until > this.time) this.time = opts.until;
  }

  /** The next timer, after giving work that is still settling (a few macrotask turns) a chance to add one. */
  private async settledNextTimerAt(): Promise<number | undefined> {
    for (let turn = 0; turn < 3; turn++) {
      const next = this.nextTimerAt();
      if (next !== undefined) return next;
      await flushAsync();
    }
    return this.nextTimerAt();
  }

  private fireNext(): void {
    this.dropCancelled();
    const timer = this.heap.pop();
    if (!timer) return;
    this.live--;
    timer.cancelled = true;
    if (timer.at > this.time) this.time = timer.at;
    timer.fire();
  }

  private dropCancelled(): void {
    while (this.heap.peek()?.cancelled) this.heap.pop();
  }
}
