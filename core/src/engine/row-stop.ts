/**
 * Why a row stops early: the caller's AbortSignal (`cancelled`) or the row deadline (`timeout`).
 * One internal AbortController carries either to every running AI call; the deadline is watched
 * with the injected clock so virtual-time runs stop at the virtual deadline. The deadline sleep
 * waits on that same signal: `dispose` (the row is over, nothing listens any more) aborts it to
 * release the timer, so a row costs one AbortController, not two (they are a visible share of a
 * short row's CPU).
 */
import { RetryableError, type ErrorInfo } from "../errors";
import type { Clock } from "../ports/clock";

export type StopCode = "cancelled" | "timeout";

const MAX_TIMER_MS = 2 ** 30;
/**
 * The one reason every deadline timer is released with (the sleep rejects with it, and the
 * watcher ignores that): `abort()` without a reason builds a DOMException, stack and all, for every
 * row, a large share of a short row's CPU.
 */
const DISPOSED = new Error("the row finished before its deadline");

export class RowStop {
  private readonly controller = new AbortController();
  private code: StopCode | null = null;
  private readonly listeners: Array<(code: StopCode) => void> = [];
  private readonly onExternalAbort = (): void => this.stop("cancelled");

  constructor(
    private readonly clock: Clock,
    private readonly external?: AbortSignal,
    private readonly deadline?: number,
  ) {
    if (external?.aborted) this.stop("cancelled");
    else external?.addEventListener("abort", this.onExternalAbort, { once: true });
    if (deadline !== undefined && !this.check()) this.watchDeadline(deadline).catch(() => {});
  }

  /** Sleeps in chunks: timers overflow past 2^31-1 ms (and would fire at once). */
  private async watchDeadline(deadline: number): Promise<void> {
    for (;;) {
      const left = deadline - this.clock.now();
      if (left <= MAX_TIMER_MS) break;
      await this.clock.sleep(MAX_TIMER_MS, this.controller.signal);
    }
    await this.clock.sleep(Math.max(0, deadline - this.clock.now()), this.controller.signal);
    this.stop("timeout");
  }

  /** Aborted as soon as the row stops; passed to every AI call. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The stop code, checking the deadline against the clock first (timers may lag virtual time). */
  check(): StopCode | null {
    if (this.code === null && this.deadline !== undefined && this.clock.now() >= this.deadline) this.stop("timeout");
    return this.code;
  }

  onStop(listener: (code: StopCode) => void): void {
    this.listeners.push(listener);
  }

  stop(code: StopCode): void {
    if (this.code !== null) return;
    this.code = code;
    this.controller.abort(new RetryableError("cancelled", code === "timeout" ? "Row deadline passed" : "Cancelled"));
    for (const l of this.listeners) l(code);
  }

  /** Releases the deadline timer and the external listener; call when the row is finished. */
  dispose(): void {
    this.controller.abort(DISPOSED); // a no-op when the row was already stopped

    this.external?.removeEventListener("abort", this.onExternalAbort);
  }
}

/** The error recorded for a node that was running, or never started, when the row stopped. */
export function stopError(code: StopCode, started: boolean): ErrorInfo {
  const message =
    code === "timeout"
      ? started
        ? "The row's time limit passed while this step was running"
        : "Not started: the row's time limit had passed"
      : started
        ? "Cancelled while this step was running"
        : "Not started: the row was cancelled";
  return { code, message, retryable: false };
}

/** Settles with `work`, or rejects as soon as `signal` aborts (for providers that ignore it). */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: Error) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}
