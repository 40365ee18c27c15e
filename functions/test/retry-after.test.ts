/**
 * Retry-After through the exported row function. Cloud Tasks' backoff ignores a provider's delay,
 * so when the AI asks for one (45 s here, beyond the engine's in-process retry), the core
 * re-enqueues the row's next attempt with exactly that delay and the function returns success:
 *   - the delay reaches the queue (the recording queue keeps what FirebaseTaskQueue would send as
 *     `scheduleDelaySeconds`), and the lane records the pending retry for the UI;
 *   - a duplicate of the new attempt, or a late retry of the superseded task, runs nothing;
 *   - the attempt budget spans the re-enqueued tasks: after ROW_TASK_RETRY.maxAttempts attempts
 *     the row is recorded failed, never re-enqueued forever.
 */
import { RetryableError, type Job, type RowResult, type TextResult } from "@flowcraft/core";
import { ROW_TASK_RETRY } from "../src/config/function-options";
import { Harness, auth, fft, textFlow } from "./support/harness";
import { RecordingAi } from "./support/recording-ai";

afterAll(() => fft.cleanup());

const DELAY_MS = 45_000;

/** Answers 429 with a 45 s RetryInfo delay for the first `failures` calls, then succeeds. */
class QuotaAi extends RecordingAi {
  calls = 0;
  constructor(private readonly failures: number) {
    super(1);
  }
  override generateText(req: Parameters<RecordingAi["generateText"]>[0]): Promise<TextResult> {
    this.calls += 1;
    if (this.calls <= this.failures) return Promise.reject(new RetryableError("rate_limited", "Gemini rate limit reached", DELAY_MS));
    return super.generateText(req);
  }
}

async function createStarted(h: Harness): Promise<Job> {
  const res = await h.createBatch({
    data: { flow: textFlow(), columns: ["topic"], rows: [{ topic: "a" }], concurrency: 1, start: true },
    auth: auth("alice"),
  } as never);
  return res.job;
}

describe("runBatchRow honours Retry-After", () => {
  it("re-enqueues the next attempt with the provider's delay, records it in the lane, and runs it once", async () => {
    const ai = new QuotaAi(1);
    const h = new Harness({ ai, autoDeliver: false });
    const job = await createStarted(h);
    const first = h.queue.rowTasks[0]!;
    const before = Date.now();

    await expect(h.deliverTask(first, 0)).resolves.toBeUndefined();
    expect(h.queue.rowTasks).toHaveLength(2);
    const next = h.queue.rowTasks[1]!;
    expect(next.delayMs).toBe(DELAY_MS);
    expect(next.payload).toMatchObject({ jobId: job.id, rowIndex: 0, attempt: 1 });
    expect(next.id).not.toBe(first.id);
    const lane = (await h.store.get<Record<string, unknown>>(`batch_jobs/${job.id}/lanes/L000`))!.data;
    expect(lane).toMatchObject({ attemptBase: 1, retry: { rowIndex: 0, attempt: 2, maxAttempts: ROW_TASK_RETRY.maxAttempts } });
    const retry = lane.retry as { nextTryAt: number; lastError: { code: string } };
    expect(retry.nextTryAt).toBeGreaterThanOrEqual(before + DELAY_MS);
    expect(retry.lastError.code).toBe("rate_limited");
    const checkpoint = (await h.store.get<Record<string, unknown>>(`batch_jobs/${job.id}/checkpoints/000000`))!.data;
    expect(checkpoint).toMatchObject({ attempt: 2, nextTryAt: retry.nextTryAt });

    // Cloud Tasks retrying the first task (as after a crash) is superseded: no AI call, no new task.
    await h.deliverTask(first, 1);
    expect(ai.calls).toBe(1);
    expect(h.queue.rowTasks).toHaveLength(2);

    // The new attempt, delivered twice at once, runs the row once.
    await Promise.all([h.deliverTask(next, 0), h.deliverTask(next, 0)]);
    expect(ai.calls).toBe(2);
    const [result] = await h.store.query<RowResult>(`batch_jobs/${job.id}/results`);
    expect(result?.data).toMatchObject({ status: "succeeded", attempts: 2 });
    const after = (await h.store.get<Record<string, unknown>>(`batch_jobs/${job.id}/lanes/L000`))!.data;
    expect(after).toMatchObject({ attemptBase: 0, retry: null });
  });

  it("keeps one attempt budget across re-enqueued tasks and records the row failed after it", async () => {
    const ai = new QuotaAi(Number.MAX_SAFE_INTEGER);
    const h = new Harness({ ai, autoDeliver: false });
    const job = await createStarted(h);
    let delivered = 0;
    // Bounded: twice the budget would mean the budget is not kept.
    while (delivered < 2 * ROW_TASK_RETRY.maxAttempts && (await h.store.count(`batch_jobs/${job.id}/results`)) === 0) {
      await h.deliverTask(h.queue.rowTasks[h.queue.rowTasks.length - 1]!, 0);
      delivered += 1;
    }
    expect(delivered).toBe(ROW_TASK_RETRY.maxAttempts);
    expect(ai.calls).toBe(ROW_TASK_RETRY.maxAttempts);
    expect(h.queue.rowTasks.slice(1).map((t) => t.delayMs)).toEqual(Array(ROW_TASK_RETRY.maxAttempts - 1).fill(DELAY_MS));
    const [result] = await h.store.query<RowResult>(`batch_jobs/${job.id}/results`);
    expect(result?.data).toMatchObject({ status: "failed", attempts: ROW_TASK_RETRY.maxAttempts, error: { code: "rate_limited" } });
  });
});
