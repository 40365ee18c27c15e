/**
 * The original plan's verification, driven through the exported functions: createBatch (wrapped
 * callable) → row tasks through runBatchRow.run → result docs through the wrapped result trigger.
 *   - 2 rows at concurrency 1 give 2 results, one AI call at a time;
 *   - 5 rows at concurrency 2 overlap (two calls in flight) and never exceed 2;
 *   - every task and trigger event delivered twice still counts each row once;
 *   - retryFailedRows re-runs only failed rows (new pass) to completion; cancel stops new rows;
 *   - a refused key trips the circuit breaker (paused), and resumeBatch finishes the rest.
 * Overlap is shown by the recorded start/end order of the fake AI, never by durations.
 */
import { OfflineAiService, PermanentError, type Job, type RowResult } from "@flowcraft/core";
import { Harness, auth, fft, textFlow } from "./support/harness";
import { RecordingAi } from "./support/recording-ai";

afterAll(() => fft.cleanup());

async function runBatch(h: Harness, topics: string[], concurrency: number): Promise<{ job: Job; results: RowResult[] }> {
  const { job } = await h.createBatch({
    data: { name: "t", flow: textFlow(), columns: ["topic"], rows: topics.map((topic) => ({ topic })), concurrency, start: true },
    auth: auth("alice"),
  } as never);
  await h.drain();
  expect(h.errors).toEqual([]);
  const final = (await h.store.get<Job>(`batch_jobs/${job.id}`))!.data;
  const results = (await h.store.query<RowResult>(`batch_jobs/${job.id}/results`, { orderBy: { field: "rowIndex" } })).map((d) => d.data);
  return { job: final, results };
}

describe("batch through the exported functions", () => {
  it("2 rows at concurrency 1 give 2 results, one call at a time", async () => {
    const ai = new RecordingAi();
    const h = new Harness({ ai });
    const { job, results } = await runBatch(h, ["apples", "pears"], 1);
    expect(job.status).toBe("completed");
    expect(job.completedRows).toBe(2);
    expect(job.failedRows).toBe(0);
    expect(results.map((r) => [r.rowIndex, r.status])).toEqual([
      [0, "succeeded"],
      [1, "succeeded"],
    ]);
    expect(results[1]!.outputs.summary).toEqual({ kind: "text", text: "answer: Summarize pears" });
    expect(ai.maxInFlight()).toBe(1);
  });

  it("5 rows at concurrency 2 overlap and never run more than 2 at once", async () => {
    const ai = new RecordingAi();
    const h = new Harness({ ai });
    const topics = ["a", "b", "c", "d", "e"];
    const { job, results } = await runBatch(h, topics, 2);
    expect(job.status).toBe("completed");
    expect(job.completedRows).toBe(5);
    expect(results).toHaveLength(5);
    expect(ai.maxInFlight()).toBe(2);
    // Each row's call started once and ended once.
    expect(ai.events.filter((e) => e.kind === "start")).toHaveLength(5);
    expect(job.usage.totalTokens).toBe(25);
  });

  it("duplicate deliveries of every task and event count each row once", async () => {
    const ai = new RecordingAi();
    const h = new Harness({ ai, duplicate: true });
    const { job, results } = await runBatch(h, ["a", "b", "c", "d", "e", "f"], 3);
    expect(job.status).toBe("completed");
    expect(job.completedRows + job.failedRows).toBe(6);
    expect(job.completedRows).toBe(6);
    expect(results).toHaveLength(6);
    expect(ai.maxInFlight()).toBeLessThanOrEqual(3);
    // A duplicate delivery of the same attempt never runs the row again.
    expect(ai.events.filter((e) => e.kind === "start")).toHaveLength(6);
  });
});

describe("retry and cancel through the exported functions", () => {
  it("retryFailedRows re-runs only the failed rows and the job completes", async () => {
    const h = new Harness({ ai: new OfflineAiService() });
    const topics = ["ok-1", "bad [[fail-first]]", "ok-2", "also bad [[fail-first]]"];
    const first = await runBatch(h, topics, 2);
    expect(first.job.status).not.toBe("processing");
    expect(first.job.failedRows).toBe(2);
    expect(first.results.filter((r) => r.status === "failed").map((r) => r.rowIndex)).toEqual([1, 3]);

    const retried = (await h.retryFailedRows({ data: { jobId: first.job.id }, auth: auth("alice") } as never)) as { rows: number };
    expect(retried.rows).toBe(2);
    await h.drain();
    expect(h.errors).toEqual([]);
    const final = (await h.store.get<Job>(`batch_jobs/${first.job.id}`))!.data;
    expect(final.status).toBe("completed");
    expect([final.completedRows, final.failedRows]).toEqual([4, 0]);
    const results = await h.store.query<RowResult>(`batch_jobs/${first.job.id}/results`, { orderBy: { field: "rowIndex" } });
    expect(results.map((d) => [d.data.rowIndex, d.data.status, d.data.pass])).toEqual([
      [0, "succeeded", 0],
      [1, "succeeded", 1],
      [2, "succeeded", 0],
      [3, "succeeded", 1],
    ]);
  });

  it("the circuit breaker pauses a batch whose key is refused (every delivery twice); resumeBatch runs the rows left", async () => {
    let keyOk = false;
    const offline = new OfflineAiService();
    const ai = {
      name: "key",
      generateText: (req: Parameters<OfflineAiService["generateText"]>[0]) =>
        keyOk ? offline.generateText(req) : Promise.reject(new PermanentError("auth", "Gemini refused the credentials (403)")),
      generateImage: (req: Parameters<OfflineAiService["generateImage"]>[0]) => offline.generateImage(req),
      generateVideo: (req: Parameters<OfflineAiService["generateVideo"]>[0]) => offline.generateVideo(req),
    };
    const h = new Harness({ ai, duplicate: true });
    const first = await runBatch(
      h,
      Array.from({ length: 12 }, (_, i) => `t${i}`),
      2,
    );
    expect(first.job).toMatchObject({ status: "paused", pausedReason: "circuit", pauseDetail: { code: "auth" } });
    // 5 refused rows trip it; rows that started before the pause committed still finish.
    expect(first.results.length).toBeGreaterThanOrEqual(5);
    expect(first.results.length).toBeLessThan(12);
    expect(first.results.every((r) => r.status === "failed")).toBe(true);

    keyOk = true;
    await h.resumeBatch({ data: { jobId: first.job.id }, auth: auth("alice") } as never);
    await h.drain();
    expect(h.errors).toEqual([]);
    const final = (await h.store.get<Job>(`batch_jobs/${first.job.id}`))!.data;
    expect(final).toMatchObject({ status: "completed", completedRows: 12 - first.results.length, failedRows: first.results.length, pausedReason: null });
  });

  it("cancelBatch lets the running row finish and starts no new one", async () => {
    // One row per delivery (no lane groups): the first delivery runs exactly row 0.
    const h = new Harness({ ai: new RecordingAi(), autoDeliver: false, limits: { groupTargetMs: 0 } });
    const { job } = await h.createBatch({
      data: { flow: textFlow(), columns: ["topic"], rows: ["a", "b", "c", "d"].map((topic) => ({ topic })), concurrency: 1, start: true },
      auth: auth("alice"),
    } as never);
    await h.deliverTask(h.queue.enqueued[0]!);
    await h.cancelBatch({ data: { jobId: job.id }, auth: auth("alice") } as never);
    // Deliver whatever is queued (the lane's next task), and every result created so far.
    for (const t of h.queue.enqueued.slice(1)) await h.deliverTask(t);
    for (const r of await h.store.query(`batch_jobs/${job.id}/results`)) await h.deliverCreated(r);
    const final = (await h.store.get<Job>(`batch_jobs/${job.id}`))!.data;
    expect(final.status).toBe("cancelled");
    expect(final.completedRows).toBe(1);
    expect(await h.store.count(`batch_jobs/${job.id}/results`)).toBe(1);
  });
});
