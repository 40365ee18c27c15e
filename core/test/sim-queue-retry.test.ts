/**
 * The simulated queue follows the port's retry rule (task-backoff.ts), like every adapter: Cloud
 * Tasks' backoff between attempts, and a negative `maxAttempts` means unlimited attempts, none of
 * them marked as the last.
 */
import { ManualClock } from "../src/testing/manual-clock";
import { retryBackoffMs } from "../src/ports/task-backoff";
import type { RetryPolicy } from "../src/ports/task-queue";
import { DEFAULT_LATENCY, NO_FAULTS } from "../src/sim/faults";
import { Rng } from "../src/sim/random";
import { SimQueue } from "../src/sim/sim-queue";

const OPEN = { maxDispatchesPerSecond: 1_000, maxConcurrentDispatches: 100 };

async function attemptsOf(retry: RetryPolicy, failures: number) {
  const clock = new ManualClock(0);
  const q = new SimQueue<number>({ clock, rng: new Rng(1), latency: { ...DEFAULT_LATENCY, taskDispatch: [0, 0] }, faults: NO_FAULTS, retry, rateLimits: OPEN });
  const seen: Array<{ at: number; retryCount: number; last: boolean }> = [];
  q.setHandler(async (_p, ctx) => {
    seen.push({ at: clock.now(), retryCount: ctx.retryCount, last: ctx.isLastAttempt });
    if (ctx.retryCount < failures) throw new Error("transient");
  });
  const enqueued = q.enqueue({ id: "t", payload: 1 });
  await clock.runUntilIdle({ maxSteps: 10_000 });
  await enqueued;
  return seen;
}

describe("SimQueue retries", () => {
  it("retries without limit and never marks a last attempt when maxAttempts is negative", async () => {
    const retry: RetryPolicy = { maxAttempts: -1, minBackoffMs: 1_000, maxBackoffMs: 8_000, maxDoublings: 2 };
    const seen = await attemptsOf(retry, 6);
    expect(seen.map((s) => [s.retryCount, s.last])).toEqual([0, 1, 2, 3, 4, 5, 6].map((n) => [n, false]));
    // The waits between attempts are the shared Cloud Tasks schedule.
    const waits = seen.slice(1).map((s, i) => s.at - (seen[i]?.at ?? 0));
    expect(waits).toEqual([1, 2, 3, 4, 5, 6].map((n) => retryBackoffMs(retry, n)));
  });

  it("stops after maxAttempts, marking only the final attempt as the last", async () => {
    const seen = await attemptsOf({ maxAttempts: 3, minBackoffMs: 1_000, maxBackoffMs: 8_000, maxDoublings: 2 }, 10);
    expect(seen.map((s) => [s.retryCount, s.last])).toEqual([
      [0, false],
      [1, false],
      [2, true],
    ]);
  });
});
