/**
 * The exported task function and Firestore triggers, driven by hand (no auto delivery):
 *   - a retryable row failure makes the task function throw (Cloud Tasks retries it) until the
 *     last attempt, where the row is recorded as failed and the job still finishes;
 *   - retryCount → TaskContext.isLastAttempt;
 *   - the result trigger reads the document when the event arrives without data, and ignores a
 *     result deleted since;
 *   - the job-created trigger leaves drafts alone and re-drives a started job whose enqueue was lost;
 *   - a job or result document that does not parse is acknowledged (logged once), not retried forever.
 */
import { RetryableError, type Job, type Logger, type RowResult } from "@flowcraft/core";
import * as fns from "../src/index";
import { ROW_TASK_RETRY } from "../src/config/function-options";
import { taskContextOf } from "../src/triggers/row-task";
import { Harness, auth, fft, textFlow } from "./support/harness";
import { RecordingAi } from "./support/recording-ai";

afterAll(() => fft.cleanup());

class DownAi extends RecordingAi {
  override generateText(): Promise<never> {
    return Promise.reject(new RetryableError("unavailable", "The AI provider is unavailable"));
  }
}

const noNodeRetry = { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 };

async function createStarted(h: Harness, n: number, concurrency = 1): Promise<Job> {
  const rows = Array.from({ length: n }, (_, i) => ({ topic: `t${i}` }));
  const res = await h.createBatch({
    data: { flow: textFlow(), columns: ["topic"], rows, concurrency, start: true },
    auth: auth("alice"),
  } as never);
  return res.job;
}

describe("task context", () => {
  it.each([
    [0, 5, false],
    [3, 5, false],
    [4, 5, true],
    [9, 5, true],
  ])("retryCount %i of maxAttempts %i → last attempt %s", (retryCount, max, last) => {
    const retry = { ...ROW_TASK_RETRY, maxAttempts: max };
    expect(taskContextOf({ retryCount, id: "t" }, retry)).toMatchObject({ retryCount, isLastAttempt: last, taskId: "t", maxAttempts: max });
  });

  it("tells the core Cloud Tasks' wait before the next retry (2 s doubling to 60 s)", () => {
    expect([0, 1, 4, 5, 7].map((retryCount) => taskContextOf({ retryCount, id: "t" }).retryDelayMs)).toEqual([2_000, 4_000, 32_000, 60_000, 60_000]);
  });

  it("treats a missing retry count as the first attempt", () => {
    expect(taskContextOf({ retryCount: undefined as unknown as number, id: "t" }).retryCount).toBe(0);
  });
});

describe("runBatchRow", () => {
  it("throws on a retryable failure before the last attempt, records a failed row on the last", async () => {
    const h = new Harness({ ai: new DownAi(), autoDeliver: false, nodeRetry: noNodeRetry });
    const job = await createStarted(h, 1);
    const task = h.queue.enqueued[0]!;
    await expect(h.deliverTask(task, 0)).rejects.toThrow();
    expect(await h.store.count(`batch_jobs/${job.id}/results`)).toBe(0);

    await h.deliverTask(task, ROW_TASK_RETRY.maxAttempts - 1);
    const results = await h.store.query<RowResult>(`batch_jobs/${job.id}/results`);
    expect(results).toHaveLength(1);
    expect(results[0]!.data.status).toBe("failed");
    expect(results[0]!.data.error?.code).toBe("unavailable");

    await h.deliverCreated(results[0]!);
    const final = (await h.store.get<Job>(`batch_jobs/${job.id}`))!.data;
    expect(["completed", "failed"]).toContain(final.status);
    expect(final.failedRows).toBe(1);
  });

  it("ignores a malformed payload instead of failing forever", async () => {
    const h = new Harness({ ai: new RecordingAi(), autoDeliver: false });
    await expect(fns.runBatchRow.run({ data: { jobId: 5 }, id: "x", retryCount: 0 } as never)).resolves.toBeUndefined();
    expect(h.queue.enqueued).toHaveLength(0);
  });
});

describe("onBatchResultCreated", () => {
  it("reads the result document when the event carries no data", async () => {
    const h = new Harness({ ai: new RecordingAi(), autoDeliver: false });
    const job = await createStarted(h, 2, 1);
    await h.deliverTask(h.queue.enqueued[0]!);
    expect(h.queue.enqueued).toHaveLength(2); // the lane moved on to row 1
    const event = { params: { jobId: job.id, rowId: "000000" }, data: undefined };
    await fns.onBatchResultCreated.run(event as never);
    await h.deliverTask(h.queue.enqueued[1]!);
    await fns.onBatchResultCreated.run({ params: { jobId: job.id, rowId: "000001" }, data: undefined } as never);
    const final = (await h.store.get<Job>(`batch_jobs/${job.id}`))!.data;
    expect(final.status).toBe("completed");
    expect(final.completedRows).toBe(2);
  });

  it("does nothing for a result deleted before the event arrived", async () => {
    const h = new Harness({ ai: new RecordingAi(), autoDeliver: false });
    const job = await createStarted(h, 1);
    await expect(fns.onBatchResultCreated.run({ params: { jobId: job.id, rowId: "000000" }, data: undefined } as never)).resolves.toBeUndefined();
    expect((await h.store.get<Job>(`batch_jobs/${job.id}`))!.data.status).toBe("processing");
  });
});

describe("onBatchJobCreated", () => {
  it("leaves a draft job alone", async () => {
    const h = new Harness({ ai: new RecordingAi(), autoDeliver: false });
    const res = await h.createBatch({
      data: { flow: textFlow(), columns: ["topic"], rows: [{ topic: "a" }] },
      auth: auth("alice"),
    } as never);
    await h.deliverCreated((await h.store.get(`batch_jobs/${res.job.id}`))!);
    expect(h.queue.enqueued).toHaveLength(0);
    expect((await h.store.get<Job>(`batch_jobs/${res.job.id}`))!.data.status).toBe("pending");
  });

  it("re-enqueues the first tasks of a started job whose enqueue was lost, and only once", async () => {
    const h = new Harness({ ai: new RecordingAi(), autoDeliver: false });
    h.queue.failNext = 2;
    await expect(createStarted(h, 3, 2)).rejects.toThrow();
    const [jobDoc] = await h.store.query<Job>("batch_jobs");
    expect(jobDoc!.data.status).toBe("processing");
    expect(h.queue.enqueued).toHaveLength(0);

    await h.deliverCreated(jobDoc!);
    await h.deliverCreated(jobDoc!);
    expect(h.queue.enqueued.map((t) => t.payload.rowIndex).sort()).toEqual([0, 1]);
  });
});

describe("malformed stored documents", () => {
  /** Records error logs: a permanent failure is logged once, where the event is acknowledged. */
  function recordingLogger(): { logger: Logger; errors: string[] } {
    const errors: string[] = [];
    return { errors, logger: { debug() {}, info() {}, warn() {}, error: (_ctx, msg) => void errors.push(msg) } };
  }

  it("acknowledges a job-created event for a job document that does not parse, logging it once", async () => {
    const log = recordingLogger();
    const h = new Harness({ ai: new RecordingAi(), autoDeliver: false, logger: log.logger });
    await h.store.set("batch_jobs/bad", { ownerId: "alice", status: "processing", totalRows: "many" });
    await expect(fns.onBatchJobCreated.run({ params: { jobId: "bad" }, data: undefined } as never)).resolves.toBeUndefined();
    expect(log.errors).toEqual(["event dropped after a permanent error"]);
    expect(h.queue.enqueued).toHaveLength(0);
  });

  it("acknowledges a result event whose job document does not parse (an unreadable result is skipped)", async () => {
    const log = recordingLogger();
    const h = new Harness({ ai: new RecordingAi(), autoDeliver: false, logger: log.logger });
    // One row: after it commits its lane is idle, so the trigger reads the job document (a busy
    // lane lets the trigger skip it, and a bad job document would only be met by the roll-up).
    const job = await createStarted(h, 1, 1);
    await h.store.set(`batch_jobs/${job.id}/results/000001`, { rowIndex: "one", status: 7 });
    await expect(fns.onBatchResultCreated.run({ params: { jobId: job.id, rowId: "000001" }, data: undefined } as never)).resolves.toBeUndefined();
    await h.deliverTask(h.queue.enqueued[0]!);
    await h.store.set(`batch_jobs/${job.id}`, { ownerId: "alice", status: "processing" });
    await expect(fns.onBatchResultCreated.run({ params: { jobId: job.id, rowId: "000000" }, data: undefined } as never)).resolves.toBeUndefined();
    expect(log.errors).toEqual(["event dropped after a permanent error"]);
  });
});
