/**
 * The row handler's retry decision over the in-memory Cloud Tasks queue in virtual time (the
 * shared core path both hosts use): a provider's Retry-After is honoured exactly, by a re-enqueued
 * attempt rather than the queue's backoff, and the attempt budget spans the re-enqueued tasks. A
 * cancel does not wait for a long delay to pass.
 */
import { RetryableError } from "../src/errors";
import { createBatchHandlers } from "../src/batch/handlers";
import { DEFAULT_LIMITS } from "../src/batch/limits";
import { resultsPath, RowResult } from "../src/batch/model";
import type { BatchTask } from "../src/batch/api";
import { isRollUpTask } from "../src/batch/roll-up";
import { ManualClock } from "../src/testing/manual-clock";
import type { Job } from "../src/batch/model";
import { MemoryBlobStore } from "../src/testing/memory-blob-store";
import { MemoryStore } from "../src/testing/memory-store";
import { MemoryTaskQueue } from "../src/testing/memory-task-queue";
import { silentLogger } from "../src/logger";
import type { RetryPolicy } from "../src/ports/task-queue";
import { ScriptedAi } from "./support/scripted-ai";

const RETRY: RetryPolicy = { maxAttempts: 4, minBackoffMs: 1_000, maxBackoffMs: 10_000, maxDoublings: 3 };
const FLOW = {
  nodes: [
    { id: "topic", type: "input", data: { column: "topic" } },
    { id: "gen", type: "text", data: { prompt: "Say {{topic}}" } },
    { id: "out", type: "output", data: { name: "said" } },
  ],
  edges: [
    { source: "topic", target: "gen" },
    { source: "gen", target: "out" },
  ],
};

/** `failures` calls answer 429 asking for `retryAfterMs`; the AI records each call's virtual time. */
function setUp(failures: number, retryAfterMs: number) {
  const clock = new ManualClock(1_700_000_000_000);
  const callTimes: number[] = [];
  const ai = new ScriptedAi(() => {
    callTimes.push(clock.now());
    if (callTimes.length <= failures) throw new RetryableError("rate_limited", "Rate limited", retryAfterMs);
    return undefined;
  });
  const store = new MemoryStore({ clock });
  let handlers: ReturnType<typeof createBatchHandlers> | null = null;
  const queue = new MemoryTaskQueue<BatchTask>({
    handler: (task, ctx) => handlers!.runRowTask(task, ctx),
    clock,
    retry: RETRY,
    limits: { maxConcurrentDispatches: 10, maxDispatchesPerSecond: 100 },
  });
  // Row tasks only: a retry also asks for a progress roll-up task (roll-up.ts).
  const rowEnqueues: string[] = [];
  const enqueue = queue.enqueue.bind(queue);
  queue.enqueue = (t) => {
    if (!isRollUpTask(t.payload)) rowEnqueues.push(t.id);
    return enqueue(t);
  };
  handlers = createBatchHandlers({
    store,
    queue,
    blobs: new MemoryBlobStore(),
    ai,
    clock,
    ids: { newId: () => "job1" },
    logger: silentLogger,
    limits: DEFAULT_LIMITS,
    engine: { nodeRetry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } },
  });
  return { clock, store, queue, handlers, callTimes, rowEnqueues };
}

async function runOneRow(s: ReturnType<typeof setUp>): Promise<RowResult> {
  await s.handlers.createJob({ ownerId: "u", flow: FLOW, columns: ["topic"], rows: [{ topic: "hi" }], concurrency: 1, start: true });
  await s.queue.drain();
  const docs = await s.store.query(resultsPath("job1"));
  expect(docs).toHaveLength(1);
  return RowResult.parse(docs[0]!.data);
}

describe("row retries after a provider's Retry-After", () => {
  it("waits exactly the asked delay (45 s), not the queue's 1 s backoff", async () => {
    const s = setUp(2, 45_000);
    const result = await runOneRow(s);
    expect(result).toMatchObject({ status: "succeeded", attempts: 3 });
    const gaps = s.callTimes.slice(1).map((t, i) => t - s.callTimes[i]!);
    expect(gaps).toEqual([45_000, 45_000]);
    // The queue never retried a task itself: both retries were new tasks.
    expect(s.queue.stats).toMatchObject({ retries: 0, exhausted: 0 });
    expect(s.rowEnqueues).toHaveLength(3);
  });

  it("records the row failed after the queue's budget of attempts, across the re-enqueued tasks", async () => {
    const s = setUp(Number.MAX_SAFE_INTEGER, 5_000);
    const result = await runOneRow(s);
    expect(result).toMatchObject({ status: "failed", attempts: RETRY.maxAttempts, error: { code: "rate_limited" } });
    expect(s.callTimes).toHaveLength(RETRY.maxAttempts);
    expect(s.rowEnqueues).toHaveLength(RETRY.maxAttempts);
  });

  it("cancels at once a job whose row waits for a one-hour delay, and the delayed task then runs nothing", async () => {
    const s = setUp(1, 3_600_000);
    const created = await s.handlers.createJob({ ownerId: "u", flow: FLOW, columns: ["topic"], rows: [{ topic: "hi" }], concurrency: 1, start: true });
    const start = s.clock.now();
    await s.clock.runUntilIdle({ until: start + 60_000 });
    expect(s.callTimes).toHaveLength(1);
    const job: Job = await s.handlers.cancelJob({ ownerId: "u" }, created.id);
    expect(job).toMatchObject({ status: "cancelled", skippedRows: 1 });
    await s.queue.drain();
    expect(s.callTimes).toHaveLength(1);
    expect(await s.store.count(resultsPath(created.id))).toBe(0);
  });
});
