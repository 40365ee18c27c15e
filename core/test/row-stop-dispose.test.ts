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
});
