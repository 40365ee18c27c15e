/**
 * Conformance suite for TaskQueue adapters (memory, SQLite durable queue). Runs on real time with
 * short backoffs; asserts counts and orderings, waiting for conditions rather than durations.
 * Imported by path from tests (it uses jest globals), never from the package index.
 */
import type { QueueLimits, RetryPolicy, TaskContext, TaskHandler, TaskQueue } from "../../ports/task-queue";
import { conformanceCase, withSkippedCases } from "./conformance-case";

export interface QueueFixture<P> {
  queue: TaskQueue<P>;
  cleanup?: () => Promise<void> | void;
}

export interface QueueFactoryOptions<P> {
  handler: TaskHandler<P>;
  retry: RetryPolicy;
  limits: QueueLimits;
}

export type QueueFactory = <P>(opts: QueueFactoryOptions<P>) => Promise<QueueFixture<P>> | QueueFixture<P>;

export interface TaskQueueConformanceOptions {
  /** Capability → reason it is skipped for this adapter. */
  skip?: { rateLimit?: string };
  /** Single cases to skip: exact test title → reason (shown in the skipped test's name). */
  skipCases?: Record<string, string>;
}

interface Payload {
  n: number;
}

interface Delivery {
  id: string;
  n: number;
  retryCount: number;
  isLastAttempt: boolean;
}

const FAST_RETRY: RetryPolicy = { maxAttempts: 3, minBackoffMs: 5, maxBackoffMs: 20, maxDoublings: 2 };
const OPEN_LIMITS: QueueLimits = { maxConcurrentDispatches: 50, maxDispatchesPerSecond: 1_000 };

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `cond` until it holds; fails the test with `what` after `timeoutMs`. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await pause(5);
  }
}

export function describeTaskQueueConformance(name: string, makeQueue: QueueFactory, opts: TaskQueueConformanceOptions = {}): void {
  describe(`TaskQueue conformance: ${name}`, () =>
    withSkippedCases(opts.skipCases, () => {
      let fixture: QueueFixture<Payload> | undefined;
      let deliveries: Delivery[] = [];

      afterEach(async () => {
        await fixture?.cleanup?.();
        fixture = undefined;
      });

      /** A queue whose handler records deliveries, then runs `behaviour` (throw to fail). */
      async function start(
        behaviour: (p: Payload, ctx: TaskContext) => Promise<void> | void = () => {},
        config: { retry?: RetryPolicy; limits?: QueueLimits } = {},
      ): Promise<TaskQueue<Payload>> {
        const mine: Delivery[] = [];
        deliveries = mine; // a previous test's queue cannot write into this test's record
        fixture = await makeQueue<Payload>({
          handler: async (p, ctx) => {
            mine.push({ id: ctx.taskId, n: p.n, retryCount: ctx.retryCount, isLastAttempt: ctx.isLastAttempt });
            await behaviour(p, ctx);
          },
          retry: config.retry ?? FAST_RETRY,
          limits: config.limits ?? OPEN_LIMITS,
        });
        return fixture.queue;
      }

      conformanceCase("delivers a task's payload with its id and attempt number", async () => {
        const queue = await start();
        expect(await queue.enqueue({ id: "t1", payload: { n: 7 } })).toBe("enqueued");
        await waitFor(() => deliveries.length === 1, "the delivery");
        expect(deliveries).toEqual([{ id: "t1", n: 7, retryCount: 0, isLastAttempt: false }]);
      });

      conformanceCase("deduplicates by id while queued and after the task finished", async () => {
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        const queue = await start(() => gate);
        expect(await queue.enqueue({ id: "dup", payload: { n: 1 } })).toBe("enqueued");
        expect(await queue.enqueue({ id: "dup", payload: { n: 2 } })).toBe("exists");
        await waitFor(() => deliveries.length === 1, "the first delivery");
        expect(await queue.enqueue({ id: "dup", payload: { n: 3 } })).toBe("exists");
        release();
        await queue.enqueue({ id: "marker", payload: { n: 0 } });
        await waitFor(() => deliveries.some((d) => d.id === "marker"), "the marker task");
        expect(await queue.enqueue({ id: "dup", payload: { n: 4 } })).toBe("exists");
        await queue.enqueue({ id: "marker2", payload: { n: 0 } });
        await waitFor(() => deliveries.some((d) => d.id === "marker2"), "the second marker");
        expect(deliveries.filter((d) => d.id === "dup").map((d) => d.n)).toEqual([1]);
      });

      conformanceCase("retries a failing task with increasing attempt numbers until it succeeds", async () => {
        const queue = await start((_p, ctx) => {
          if (ctx.taskId === "flaky" && ctx.retryCount < 2) throw new Error("transient");
        });
        await queue.enqueue({ id: "flaky", payload: { n: 1 } });
        await waitFor(() => deliveries.length === 3, "three attempts");
        await queue.enqueue({ id: "after", payload: { n: 2 } });
        await waitFor(() => deliveries.some((d) => d.id === "after"), "a later task");
        expect(deliveries.filter((d) => d.id === "flaky").map((d) => [d.retryCount, d.isLastAttempt])).toEqual([
          [0, false],
          [1, false],
          [2, true],
        ]);
      });

      conformanceCase("stops after maxAttempts, marking only the final attempt as the last", async () => {
        const queue = await start(
          () => {
            throw new Error("always");
          },
          { retry: { ...FAST_RETRY, maxAttempts: 2 } },
        );
        await queue.enqueue({ id: "doomed", payload: { n: 1 } });
        await waitFor(() => deliveries.length === 2, "two attempts");
        // Give a third attempt ample chance to (wrongly) happen: several max backoffs.
        await pause(100);
        expect(deliveries.map((d) => [d.retryCount, d.isLastAttempt])).toEqual([
          [0, false],
          [1, true],
        ]);
      });

      conformanceCase("keeps retrying without a last attempt when maxAttempts is negative (unlimited)", async () => {
        const queue = await start(
          (_p, ctx) => {
            if (ctx.retryCount < 4) throw new Error("transient");
          },
          { retry: { ...FAST_RETRY, maxAttempts: -1 } },
        );
        await queue.enqueue({ id: "endless", payload: { n: 1 } });
        await waitFor(() => deliveries.length === 5, "five attempts");
        expect(deliveries.map((d) => [d.retryCount, d.isLastAttempt])).toEqual([
          [0, false],
          [1, false],
          [2, false],
          [3, false],
          [4, false],
        ]);
      });

      conformanceCase("runs delayed tasks in due order", async () => {
        const queue = await start(() => {}, { limits: { ...OPEN_LIMITS, maxConcurrentDispatches: 1 } });
        await queue.enqueue({ id: "late", payload: { n: 3 }, delayMs: 150 });
        await queue.enqueue({ id: "now", payload: { n: 1 } });
        await queue.enqueue({ id: "soon", payload: { n: 2 }, delayMs: 60 });
        await waitFor(() => deliveries.length === 3, "all three tasks");
        expect(deliveries.map((d) => d.id)).toEqual(["now", "soon", "late"]);
      });

      conformanceCase("does not run a deleted task", async () => {
        const queue = await start();
        await queue.enqueue({ id: "gone", payload: { n: 1 }, delayMs: 50 });
        await queue.delete("gone");
        await queue.delete("never-existed");
        await queue.enqueue({ id: "later", payload: { n: 2 }, delayMs: 100 });
        await waitFor(() => deliveries.length === 1, "the later task");
        expect(deliveries.map((d) => d.id)).toEqual(["later"]);
      });

      conformanceCase("never runs more than maxConcurrentDispatches handlers at once", async () => {
        let current = 0;
        let peak = 0;
        const queue = await start(
          async () => {
            current++;
            peak = Math.max(peak, current);
            await pause(15);
            current--;
          },
          { limits: { ...OPEN_LIMITS, maxConcurrentDispatches: 2 } },
        );
        for (let i = 0; i < 8; i++) await queue.enqueue({ id: `c${i}`, payload: { n: i } });
        await waitFor(() => deliveries.length === 8 && current === 0, "eight tasks");
        expect(peak).toBe(2);
      });

      conformanceCase("rejects ids outside [A-Za-z0-9_-]", async () => {
        const queue = await start();
        await expect(queue.enqueue({ id: "bad/id", payload: { n: 1 } })).rejects.toThrow();
        await expect(queue.enqueue({ id: "", payload: { n: 1 } })).rejects.toThrow();
      });

      if (opts.skip?.rateLimit) {
        it.skip(`dispatch rate limit (skipped: ${opts.skip.rateLimit})`, () => {});
      } else {
        conformanceCase("spreads dispatches out to maxDispatchesPerSecond", async () => {
          const stamps: number[] = [];
          const queue = await start(() => void stamps.push(Date.now()), {
            limits: { maxConcurrentDispatches: 50, maxDispatchesPerSecond: 2 },
          });
          const t0 = Date.now();
          for (let i = 0; i < 6; i++) await queue.enqueue({ id: `r${i}`, payload: { n: i } });
          await waitFor(() => stamps.length === 6, "six rate-limited tasks");
          // A bucket of at most `rate` tokens plus one second of refill allows 4 in the first second;
          // without a limit all six would start at once. Slowness can only lower this count.
          expect(stamps.filter((t) => t < t0 + 1_000).length).toBeLessThanOrEqual(4);
        });
      }
    }));
}
