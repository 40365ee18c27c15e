/**
 * The job document's progress roll-up in virtual time: the real handlers over MemoryStore and
 * MemoryTaskQueue (delays honoured) on a ManualClock, result triggers delivered shortly after each
 * result is created. The job counters must catch up with the lanes within about one roll-up
 * interval after the last result of a burst, with no further results to trigger it; rows waiting
 * for a task retry must show in the job document (`retrying`) and disappear once they finish.
 */
import { OfflineAiService } from "../src/ai/offline";
import type { BatchHandlers, BatchTask } from "../src/batch/api";
import { createBatchHandlers } from "../src/batch/handlers";
import { DEFAULT_LIMITS } from "../src/batch/limits";
import { Lane, JobState } from "../src/batch/state";
import { ManualClock } from "../src/testing/manual-clock";
import { MemoryBlobStore } from "../src/testing/memory-blob-store";
import { MemoryStore } from "../src/testing/memory-store";
import { MemoryTaskQueue } from "../src/testing/memory-task-queue";
import { silentLogger } from "../src/logger";
import type { RetryPolicy } from "../src/ports/task-queue";
import { COLUMNS, TWO_STEP_FLOW, rowsOf } from "./support/batch-harness";

const T0 = 1_700_000_000_000;
const INTERVAL = 2_000;
const TRIGGER_DELAY_MS = 50;
const RETRY: RetryPolicy = { maxAttempts: 4, minBackoffMs: 10_000, maxBackoffMs: 60_000, maxDoublings: 3 };
const owner = { ownerId: "u1" };

function deployment() {
  const clock = new ManualClock(T0);
  const triggerErrors: unknown[] = [];
  let handlers: BatchHandlers | null = null;
  const store = new MemoryStore({
    clock,
    recordWrites: true,
    onCreate: (d) => {
      if (!d.path.includes("/results/")) return;
      clock.schedule(TRIGGER_DELAY_MS, () => void handlers?.onResultCreated(d).catch((e: unknown) => triggerErrors.push(e)));
    },
  });
  const queue = new MemoryTaskQueue<BatchTask>({
    handler: (p, ctx) => (handlers as BatchHandlers).runRowTask(p, ctx),
    clock,
    retry: RETRY,
    limits: { maxConcurrentDispatches: 100, maxDispatchesPerSecond: 1_000 },
  });
  handlers = createBatchHandlers({
    store,
    queue,
    blobs: new MemoryBlobStore(),
    ai: new OfflineAiService({ latencyMs: 100, clock }),
    clock,
    ids: { newId: () => "job1" },
    logger: silentLogger,
    limits: DEFAULT_LIMITS,
    engine: { nodeRetry: { maxAttempts: 1, baseDelayMs: 100, maxDelayMs: 1_000 } },
    rollUpIntervalMs: INTERVAL,
  });
  const h = handlers;
  const job = async (): Promise<JobState> => JobState.parse((await store.get("batch_jobs/job1"))?.data);
  const lanes = async (): Promise<Lane[]> => (await store.query("batch_jobs/job1/lanes")).map((d) => Lane.parse(d.data));
  const laneFinished = async (): Promise<number> => (await lanes()).reduce((n, l) => n + l.succeeded + l.failed, 0);
  const jobWrites = (): number[] => store.writeLog.filter((w) => w.path === "batch_jobs/job1").map((w) => w.time);
  return { clock, store, queue, handlers: h, triggerErrors, job, lanes, laneFinished, jobWrites };
}

async function startJob(d: ReturnType<typeof deployment>, notes: string[]): Promise<void> {
  const rows = rowsOf(notes.length, (i) => notes[i] ?? "");
  await d.handlers.createJob({ ownerId: "u1", flow: TWO_STEP_FLOW, columns: COLUMNS, rows, concurrency: notes.length, start: true });
}

describe("trailing roll-up", () => {
  test("after a burst of results, the job counters equal the lanes' within one interval although no result follows", async () => {
    const d = deployment();
    // Four rows finish at once (~200 ms after the start, inside the first throttle window); the
    // fifth holds the job open for a minute, so nothing else would trigger a roll-up.
    await startJob(d, ["", "", "", "", "[[slow:60000]]"]);
    await d.clock.runUntilIdle({ until: T0 + 1_000 });
    expect(await d.laneFinished()).toBe(4);
    const lastResultAt = T0 + 1_000;
    await d.clock.runUntilIdle({ until: lastResultAt + INTERVAL + 500 });
    const job = await d.job();
    expect(job.status).toBe("processing");
    expect(job.completedRows + job.failedRows).toBe(await d.laneFinished());
    expect(job.completedRows).toBe(4);
    expect(d.triggerErrors).toEqual([]);
  });

  test("a second burst inside a closed window is rolled up at that window's end; the job doc stays under 1 write/s", async () => {
    const d = deployment();
    await startJob(d, ["", "[[slow:2100]]", "[[slow:2300]]", "[[slow:60000]]"]);
    await d.clock.runUntilIdle({ until: T0 + 2_600 });
    // Row 0 was rolled up by the trailing task at T0+2000; rows 1 and 2 arrived after it.
    expect(await d.laneFinished()).toBe(3);
    await d.clock.runUntilIdle({ until: T0 + 2_600 + INTERVAL + 500 });
    expect((await d.job()).completedRows).toBe(3);
    await d.clock.runUntilIdle({ until: T0 + 30_000 });
    const writes = d.jobWrites().filter((at) => at > T0); // after create + start
    expect(writes.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < writes.length; i++) expect((writes[i] ?? 0) - (writes[i - 1] ?? 0)).toBeGreaterThanOrEqual(INTERVAL);
    // Once the job doc is up to date the trailing chain stops: no roll-up writes while nothing changes.
    expect(writes.filter((at) => at > T0 + 10_000)).toEqual([]);
  });
});

describe("rows waiting for a retry", () => {
  test("the job doc lists a rate-limited row with its error, attempt and next try, and clears it when the row ends", async () => {
    const d = deployment();
    await startJob(d, ["", "[[rate-limit]]"]);
    await d.clock.runUntilIdle({ until: T0 + 5_000 });
    const job = await d.handlers.getJob(owner, "job1");
    expect(job.status).toBe("processing");
    expect(job.completedRows).toBe(1);
    expect(job.retrying).toHaveLength(1);
    const wait = job.retrying?.[0];
    expect(wait).toMatchObject({ rowIndex: 1, attempt: 1, error: { code: "rate_limited", retryable: true } });
    // The provider asked for 20 s: the next attempt is re-enqueued exactly that much later.
    expect((wait?.nextAttemptAt ?? 0) - (wait?.at ?? 0)).toBe(20_000);
    expect(wait?.error.message).toContain("rate limit");

    await d.clock.runUntilIdle({ until: T0 + 25_000 });
    expect((await d.handlers.getJob(owner, "job1")).retrying?.[0]).toMatchObject({ rowIndex: 1, attempt: 2 });

    await d.clock.runUntilIdle({ until: T0 + 600_000 });
    const done = await d.handlers.getJob(owner, "job1");
    expect(done).toMatchObject({ status: "completed", completedRows: 1, failedRows: 1, retrying: [] });
    expect((await d.lanes()).every((l) => l.retry === null)).toBe(true);
  });
});
