/**
 * A finished row releases its deadline timer without building an error per row: the sleep is
 * aborted with one shared Error reason (an `abort()` without a reason makes a new DOMException, with
 * its stack, for every row).
 */
import type { Clock } from "../src/ports/clock";
import { RowStop } from "../src/engine/row-stop";

/** A clock whose sleeps never end by themselves; records the signal each sleep got. */
function recordingClock(): Clock & { signals: AbortSignal[] } {
  const signals: AbortSignal[] = [];
  return {
    signals,
    now: () => 0,
    sleep: (_ms, signal) => {
      if (signal) signals.push(signal);
      return new Promise<void>((_resolve, reject) => signal?.addEventListener("abort", () => reject(signal.reason as Error)));
    },
  };
}

describe("RowStop.dispose", () => {
  it("aborts the deadline sleep with one shared Error, not a new DOMException per row", () => {
    const clock = recordingClock();
    const a = new RowStop(clock, undefined, 60_000);
    const b = new RowStop(clock, undefined, 60_000);
    a.dispose();
    b.dispose();
    const [sa, sb] = clock.signals;
    expect(sa?.aborted).toBe(true);
    expect(sb?.aborted).toBe(true);
    expect(sa?.reason).toBeInstanceOf(Error);
    expect((sa?.reason as Error).name).toBe("Error");
    expect(sa?.reason).toBe(sb?.reason);
    expect(a.check()).toBeNull(); // disposing is not a stop
  });

  it("uses one AbortController per row: the deadline sleep waits on the signal the AI calls get", () => {
    const clock = recordingClock();
    const stop = new RowStop(clock, undefined, 60_000);
    expect(clock.signals).toHaveLength(1);
    expect(clock.signals[0]).toBe(stop.signal);
    expect(stop.signal.aborted).toBe(false);
    stop.dispose();
    expect(stop.signal.aborted).toBe(true);
  });

  it("still stops the row at its deadline and on cancel", async () => {
    let fire: () => void = () => {};
    const clock: Clock = { now: () => 0, sleep: () => new Promise<void>((resolve) => (fire = resolve)) };
    const timed = new RowStop(clock, undefined, 60_000);
    const codes: string[] = [];
    timed.onStop((c) => codes.push(c));
    fire();
    await new Promise((r) => setImmediate(r));
    expect(codes).toEqual(["timeout"]);
    expect(timed.signal.aborted).toBe(true);
    const external = new AbortController();
    const cancelled = new RowStop(clock, external.signal, 60_000);
    external.abort();
    expect(cancelled.check()).toBe("cancelled");
    cancelled.dispose();
    expect((cancelled.signal.reason as Error).message).toBe("Cancelled");
  });
});
