/**
 * The simulated queue's Cloud Tasks rate limits on their own: dispatches drawn from a token bucket
 * (refilled at the rate, holding rate/5) and capped in number running, in due order, with a rate
 * whose interval is not a whole number of milliseconds.
 */
import { ManualClock } from "../src/testing/manual-clock";
import { DEFAULT_LATENCY, NO_FAULTS } from "../src/sim/faults";
import { Rng } from "../src/sim/random";
import { SimQueue } from "../src/sim/sim-queue";
import { DEFAULT_RETRY } from "../src/sim/simulation";

function queue(rateLimits: { maxDispatchesPerSecond: number; maxConcurrentDispatches: number }, clock: ManualClock, workMs: number) {
  const q = new SimQueue<number>({
    clock,
    rng: new Rng(1),
    latency: { ...DEFAULT_LATENCY, taskDispatch: [0, 0] },
    faults: NO_FAULTS,
    retry: DEFAULT_RETRY,
    rateLimits,
  });
  const started: number[] = [];
  q.setHandler(async () => {
    started.push(clock.now());
    await clock.sleep(workMs);
  });
  return { q, started };
}

describe("SimQueue rate limits", () => {
  it("dispatches at the rate after the burst, even at 3/s (333.3 ms between tokens), and ends", async () => {
    const clock = new ManualClock(0);
    const { q, started } = queue({ maxDispatchesPerSecond: 3, maxConcurrentDispatches: 100 }, clock, 10);
    const enqueued = Promise.all(Array.from({ length: 30 }, (_, i) => q.enqueue({ id: `t${i}`, payload: i })));
    await clock.runUntilIdle({ maxSteps: 10_000 });
    await enqueued;
    expect(started).toHaveLength(30);
    const span = (started[29] ?? 0) - (started[0] ?? 0);
    // One token at once (burst 3/5 → 1), then 29 more at 3/s: about 9.7 s.
    expect(span).toBeGreaterThanOrEqual(9_500);
    expect(span).toBeLessThanOrEqual(10_000);
    expect(q.stats.throttled).toBeGreaterThan(25);
  });

  it("never runs more than maxConcurrentDispatches at once", async () => {
    const clock = new ManualClock(0);
    const { q, started } = queue({ maxDispatchesPerSecond: 500, maxConcurrentDispatches: 4 }, clock, 1_000);
    const enqueued = Promise.all(Array.from({ length: 20 }, (_, i) => q.enqueue({ id: `t${i}`, payload: i })));
    await clock.runUntilIdle({ maxSteps: 10_000 });
    await enqueued;
    expect(started).toHaveLength(20);
    expect(q.stats.maxRunning).toBe(4);
    // Five rounds of four, a second each.
    expect((started[19] ?? 0) - (started[0] ?? 0)).toBeGreaterThanOrEqual(4_000);
  });
});
