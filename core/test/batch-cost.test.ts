/**
 * Recorded cost: each row's `costUsd` comes from its node traces and the price table, sums every
 * attempt and pass that ran it, and the lanes' cost counters roll up into `Job.costUsd` without
 * counting a retried row twice.
 */
import type { AiService, TextRequest, TextResult } from "../src/ai/port";
import { PermanentError, RetryableError } from "../src/errors";
import { costOf } from "../src/governor/prices";
import { COLUMNS, TWO_STEP_FLOW, ctxFor, makeHarness, rowsOf, type Harness } from "./support/batch-harness";

const owner = { ownerId: "u1" };
const USAGE = { inputTokens: 1_000, outputTokens: 500, totalTokens: 1_500 };
/** One text call on the flow's default model (gemini-2.5-flash). */
const CALL = costOf("gemini-2.5-flash", { usage: USAGE }).usd;

/** Every call costs CALL; `fail(prompt, n)` (n = the prompt's call count so far) may throw instead. */
function pricedAi(fail: (prompt: string, n: number) => Error | null = () => null): AiService {
  const seen = new Map<string, number>();
  return {
    name: "priced",
    generateText: (req: TextRequest): Promise<TextResult> => {
      const n = (seen.get(req.prompt) ?? 0) + 1;
      seen.set(req.prompt, n);
      const err = fail(req.prompt, n);
      if (err) return Promise.reject(err);
      return Promise.resolve({ text: `reply ${req.prompt.length}`, usage: USAGE, model: req.model });
    },
    generateImage: () => Promise.reject(new Error("unused")),
    generateVideo: () => Promise.reject(new Error("unused")),
  };
}

async function run(h: Harness, rows: number, note?: (i: number) => string) {
  const job = await h.handlers.createJob({ ownerId: "u1", flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(rows, note), concurrency: 2 });
  await h.handlers.startJob(owner, job.id);
  return job.id;
}

const resultsOf = async (h: Harness, jobId: string) => (await h.handlers.listResults(owner, jobId, { limit: 100 })).results;

describe("recorded cost", () => {
  test("each row records what its calls cost and the job's costUsd is their sum", async () => {
    const h = makeHarness({ ai: pricedAi() });
    const jobId = await run(h, 5);
    await h.drain();
    for (const r of await resultsOf(h, jobId)) expect(r.costUsd).toBeCloseTo(2 * CALL, 9);
    const job = await h.handlers.getJob(owner, jobId);
    expect(job.status).toBe("completed");
    expect(job.costUsd).toBeCloseTo(10 * CALL, 9);
  });

  test("a row retried within its pass shows the cost of the failed attempt too", async () => {
    // Attempt 1: draft succeeds (billed), polish fails retryably. Attempt 2 resumes draft, runs polish.
    const h = makeHarness({ ai: pricedAi((p, n) => (p.startsWith("Polish") && n === 1 ? new RetryableError("unavailable", "down") : null)) });
    const jobId = await run(h, 1);
    const t = h.queue.take();
    if (!t) throw new Error("no task");
    await expect(h.handlers.runRowTask(t.payload, ctxFor(t.id, 0))).rejects.toBeInstanceOf(RetryableError);
    await h.handlers.runRowTask(t.payload, ctxFor(t.id, 1));
    await h.drain();
    const [r] = await resultsOf(h, jobId);
    expect(r).toMatchObject({ status: "succeeded", trace: { draft: { status: "resumed" }, polish: { status: "succeeded" } } });
    expect(r?.costUsd).toBeCloseTo(2 * CALL, 9);
    expect((await h.handlers.getJob(owner, jobId)).costUsd).toBeCloseTo(2 * CALL, 9);
  });

  test("a row re-run by retryFailed carries its failed pass's cost; the job counts every call once", async () => {
    const failing = (i: number) => (i === 1 ? "bad" : "ok");
    const h = makeHarness({
      ai: pricedAi((p, n) => (p.startsWith("Polish") && p.endsWith("bad") && n === 1 ? new PermanentError("model_error", "refused") : null)),
    });
    const jobId = await run(h, 3, failing);
    await h.drain();
    const before = await resultsOf(h, jobId);
    expect(before.find((r) => r.rowIndex === 1)).toMatchObject({ status: "failed" });
    expect(before.find((r) => r.rowIndex === 1)?.costUsd).toBeCloseTo(CALL, 9);
    expect((await h.handlers.getJob(owner, jobId)).costUsd).toBeCloseTo(5 * CALL, 9);
    await h.handlers.retryFailed(owner, jobId);
    await h.drain();
    const after = await resultsOf(h, jobId);
    expect(after.find((r) => r.rowIndex === 1)).toMatchObject({ status: "succeeded", pass: 1 });
    expect(after.find((r) => r.rowIndex === 1)?.costUsd).toBeCloseTo(2 * CALL, 9);
    expect((await h.handlers.getJob(owner, jobId)).costUsd).toBeCloseTo(6 * CALL, 9);
  });

  test("an unknown model costs 0 (a lower bound), never NaN", async () => {
    const h = makeHarness({ ai: pricedAi() });
    const flow = {
      ...TWO_STEP_FLOW,
      nodes: TWO_STEP_FLOW.nodes.map((n) => (n.type === "text" ? { ...n, data: { ...n.data, model: "some-future-model" } } : n)),
    };
    const job = await h.handlers.createJob({ ownerId: "u1", flow, columns: COLUMNS, rows: rowsOf(1), concurrency: 1, start: true });
    await h.drain();
    expect((await resultsOf(h, job.id))[0]?.costUsd).toBe(0);
    expect((await h.handlers.getJob(owner, job.id)).costUsd).toBe(0);
  });
});
