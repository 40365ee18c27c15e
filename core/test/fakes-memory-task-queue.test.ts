import { describeTaskQueueConformance } from "../src/testing/conformance/task-queue-conformance";
import { MemoryTaskQueue } from "../src/testing/memory-task-queue";
import { systemClock } from "../src/system-clock";
import { ManualClock } from "../src/testing/manual-clock";
import { SeededRandom } from "../src/seeded-random";
import { retryBackoffMs } from "../src/ports/task-backoff";
import type { QueueLimits, RetryPolicy, TaskContext } from "../src/ports/task-queue";

describeTaskQueueConformance("memory (system clock)", (opts) => {
  const queue = new MemoryTaskQueue({ ...opts, clock: systemClock });
  return { queue, cleanup: () => queue.close() };
});

const RETRY: RetryPolicy = { maxAttempts: 5, minBackoffMs: 1_000, maxBackoffMs: 60_000, maxDoublings: 3 };
const LIMITS: QueueLimits = { maxConcurrentDispatches: 10, maxDispatchesPerSecond: 100 };

describe("retryBackoffMs (Cloud Tasks schedule)", () => {
  it("doubles maxDoublings times, then grows linearly, capped", () => {
    const policy: RetryPolicy = { maxAttempts: 10, minBackoffMs: 10_000, maxBackoffMs: 300_000, maxDoublings: 3 };
    const waits = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => retryBackoffMs(policy, n) / 1_000);
    expect(waits).toEqual([10, 20, 40, 80, 160, 240, 300, 300]);
    expect([1, 2, 3].map((n) => retryBackoffMs({ ...policy, maxDoublings: 0 }, n) / 1_000)).toEqual([10, 20, 30]);
  });
});

describe("MemoryTaskQueue on a manual clock", () => {
  function setup(
    handler: (p: { n: number }, ctx: TaskContext) => Promise<void> | void,
    extra: Partial<ConstructorParameters<typeof MemoryTaskQueue<{ n: number }>>[0]> = {},
  ) {
    const clock = new ManualClock(0);
    const queue = new MemoryTaskQueue<{ n: number }>({
      handler: async (p, ctx) => handler(p, ctx),
      clock,
      retry: RETRY,
      limits: LIMITS,
      ...extra,
    });
    return { clock, queue };
  }

  it("retries on the backoff schedule in virtual time and reports the last attempt", async () => {
    const attempts: [number, number, boolean][] = [];
    const { clock, queue } = setup((_p, ctx) => {
      attempts.push([clock.now(), ctx.retryCount, ctx.isLastAttempt]);
      throw new Error("down");
    });
    await queue.enqueue({ id: "t", payload: { n: 1 } });
    await queue.drain();
    expect(attempts).toEqual([
      [0, 0, false],
      [1_000, 1, false],
      [3_000, 2, false],
      [7_000, 3, false],
      [15_000, 4, true],
    ]);
    expect(queue.stats).toMatchObject({ dispatches: 5, retries: 4, exhausted: 1, succeeded: 0 });
    expect(queue.state("t")).toBe("done");
  });

  it("runs hour-long delays without real waiting, in due order", async () => {
    const order: string[] = [];
    const { clock, queue } = setup((_p, ctx) => void order.push(`${ctx.taskId}@${clock.now()}`));
    await queue.enqueue({ id: "c", payload: { n: 3 }, delayMs: 3 * 3_600_000 });
    await queue.enqueue({ id: "a", payload: { n: 1 }, delayMs: 3_600_000 });
    await queue.enqueue({ id: "b", payload: { n: 2 }, delayMs: 3_600_000 });
    await queue.drain();
    expect(order).toEqual(["a@3600000", "b@3600000", "c@10800000"]);
  });

  it("keeps a finished or deleted id reserved for the reuse window, then accepts it again", async () => {
    const runs: number[] = [];
    const { clock, queue } = setup((p) => void runs.push(p.n), { idReuseWindowMs: 60_000 });
    await queue.enqueue({ id: "t", payload: { n: 1 } });
    await queue.drain();
    await clock.advance(59_999);
    expect(await queue.enqueue({ id: "t", payload: { n: 2 } })).toBe("exists");
    await clock.advance(1);
    expect(await queue.enqueue({ id: "t", payload: { n: 3 } })).toBe("enqueued");
    await queue.enqueue({ id: "d", payload: { n: 4 }, delayMs: 10 });
    await queue.delete("d");
    expect(await queue.enqueue({ id: "d", payload: { n: 5 } })).toBe("exists");
    await queue.drain();
    expect(runs).toEqual([1, 3]);
    expect(queue.stats.deleted).toBe(1);
  });

  it("holds concurrency at maxConcurrentDispatches while handlers sleep", async () => {
    let current = 0;
    let peak = 0;
    const { clock, queue } = setup(
      async () => {
        peak = Math.max(peak, ++current);
        await clock.sleep(100);
        current--;
      },
      { limits: { maxConcurrentDispatches: 3, maxDispatchesPerSecond: 1_000 } },
    );
    for (let i = 0; i < 10; i++) await queue.enqueue({ id: `t${i}`, payload: { n: i } });
    await queue.drain();
    expect(peak).toBe(3);
    expect(queue.stats.maxConcurrent).toBe(3);
    expect(queue.stats.succeeded).toBe(10);
    // 10 tasks, 3 at a time, 100 ms each: four waves.
    expect(clock.now()).toBe(400);
  });

  it("spaces dispatches by the token bucket", async () => {
    const times: number[] = [];
    const { clock, queue } = setup(() => void times.push(clock.now()), {
      limits: { maxConcurrentDispatches: 100, maxDispatchesPerSecond: 2 },
    });
    for (let i = 0; i < 6; i++) await queue.enqueue({ id: `t${i}`, payload: { n: i } });
    await queue.drain();
    expect(times).toEqual([0, 0, 500, 1_000, 1_500, 2_000]);
  });

  it("injects duplicate deliveries of the same attempt when asked, deterministically per seed", async () => {
    const run = async (seed: number) => {
      const seen: string[] = [];
      const { queue } = setup((p, ctx) => void seen.push(`${ctx.taskId}:${ctx.retryCount}`), {
        random: new SeededRandom(seed).next,
        faults: { duplicateDeliveryRate: 0.5 },
      });
      for (let i = 0; i < 40; i++) await queue.enqueue({ id: `t${i}`, payload: { n: i } });
      await queue.drain();
      return { seen, stats: queue.stats };
    };
    const a = await run(7);
    const b = await run(7);
    expect(a.seen).toEqual(b.seen);
    expect(a.stats.duplicates).toBeGreaterThan(5);
    expect(a.stats.duplicates).toBeLessThan(35);
    expect(a.seen).toHaveLength(40 + a.stats.duplicates);
    expect(new Set(a.seen).size).toBe(40); // duplicates repeat an attempt, never invent one
    expect(a.stats.succeeded).toBe(40);
  });

  it("delivers every attempt twice at rate 1, sometimes while the first is still running", async () => {
    let current = 0;
    let overlapped = false;
    const { clock, queue } = setup(
      async () => {
        current++;
        if (current > 1) overlapped = true;
        await clock.sleep(50);
        current--;
      },
      { random: new SeededRandom(1).next, faults: { duplicateDeliveryRate: 1 } },
    );
    for (let i = 0; i < 10; i++) await queue.enqueue({ id: `t${i}`, payload: { n: i } });
    await queue.drain();
    expect(queue.stats.dispatches).toBe(20);
    expect(overlapped).toBe(true);
  });

  it("idle() resolves once the queue has run dry", async () => {
    const { clock, queue } = setup(() => clock.sleep(10));
    await queue.enqueue({ id: "a", payload: { n: 1 } });
    let idle = false;
    const waiting = queue.idle().then(() => (idle = true));
    await clock.advance(5);
    expect(idle).toBe(false);
    await clock.advance(5);
    await waiting;
    expect(idle).toBe(true);
    expect(queue.isIdle()).toBe(true);
  });

  it("does not dispatch after close()", async () => {
    const runs: number[] = [];
    const { clock, queue } = setup((p) => void runs.push(p.n));
    await queue.enqueue({ id: "a", payload: { n: 1 }, delayMs: 10 });
    queue.close();
    await clock.runUntilIdle();
    expect(runs).toEqual([]);
    expect(queue.size).toEqual({ queued: 1, running: 0 });
  });

  it("hands each delivery its own copy of the payload", async () => {
    const seen: number[] = [];
    const { queue } = setup(
      (p) => {
        seen.push(p.n);
        p.n = -1;
        throw new Error("retry me");
      },
      { retry: { ...RETRY, maxAttempts: 2 } },
    );
    const payload = { n: 5 };
    await queue.enqueue({ id: "a", payload });
    payload.n = 6;
    await queue.drain();
    expect(seen).toEqual([5, 5]);
  });
});
