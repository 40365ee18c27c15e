/**
 * The original plan's verification, driven through the exported functions: createBatch (wrapped
 * callable) → row tasks through runBatchRow.run → result docs through the wrapped result trigger.
 *   - 2 rows at concurrency 1 give 2 results, one AI call at a time;
 *   - 5 rows at concurrency 2 overlap (two calls in flight) and never exceed 2;
 *   - every task and trigger event delivered twice still counts each row once.
 * Overlap is shown by the recorded start/end order of the fake AI, never by durations.
 */
import type { Job, RowResult } from "@flowcraft/core";
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
