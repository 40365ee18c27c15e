/**
 * The budget cap: a row about to start checks committed spend plus the reserve of rows in flight
 * against `budgetUsd`; reaching it pauses the batch with reason `budget` and starts nothing more.
 * The overshoot is bounded by the rows in flight at that moment (≤ C × the cost of a row), the
 * user resumes with a raised budget, and every row is still counted exactly once.
 */
import type { AiService, TextRequest, TextResult } from "../src/ai/port";
import { costOf } from "../src/governor/prices";
import type { Job } from "../src/batch/model";
import { budgetReached, spendOf } from "../src/batch/budget-spend";
import { ctxFor, makeHarness, type Harness } from "./support/batch-harness";

const owner = { ownerId: "u1" };
const USAGE = { inputTokens: 2_000, outputTokens: 1_000, totalTokens: 3_000 };
/** One call, and one row (the flow has one text node). */
const ROW = costOf("gemini-2.5-flash", { usage: USAGE }).usd;

const pricedAi: AiService = {
  name: "priced",
  generateText: (req: TextRequest): Promise<TextResult> => Promise.resolve({ text: `re ${req.prompt}`, usage: USAGE, model: req.model }),
  generateImage: () => Promise.reject(new Error("unused")),
  generateVideo: () => Promise.reject(new Error("unused")),
};

const FLOW = {
  nodes: [
    { id: "topic", type: "input", data: { column: "topic" } },
    { id: "write", type: "text", data: { prompt: "Write about {{topic}}" } },
    { id: "out", type: "output", data: { name: "line" } },
  ],
  edges: [
    { source: "topic", target: "write" },
    { source: "write", target: "out" },
  ],
};
const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ topic: `t${i}` }));

async function create(h: Harness, n: number, concurrency: number, budgetUsd?: number): Promise<Job> {
  return h.handlers.createJob({
    ...owner,
    flow: FLOW,
    columns: ["topic"],
    rows: rows(n),
    concurrency,
    start: true,
    ...(budgetUsd !== undefined ? { budgetUsd } : {}),
  });
}

async function spent(h: Harness, jobId: string): Promise<{ usd: number; rows: number }> {
  const results = (await h.handlers.listResults(owner, jobId, { limit: 1000 })).results;
  return { usd: results.reduce((a, r) => a + r.costUsd, 0), rows: results.length };
}

describe("budget cap", () => {
  test.each([
    [1, 3.5],
    [3, 5.5],
    [5, 9.2],
  ])("C=%i, budget %f rows: pauses with `budget`, spent within budget + C × a row", async (c, rowsOfBudget) => {
    const h = makeHarness({ ai: pricedAi });
    const budgetUsd = rowsOfBudget * ROW;
    const job = await create(h, 40, c, budgetUsd);
    await h.drain();
    const after = await h.handlers.getJob(owner, job.id);
    expect(after).toMatchObject({ status: "paused", pausedReason: "budget", budgetUsd, pauseDetail: { code: "limit_exceeded" } });
    const s = await spent(h, job.id);
    expect(s.rows).toBeLessThan(40);
    expect(s.usd).toBeLessThanOrEqual(budgetUsd + c * ROW + 1e-12);
    // It stops because the budget is reached, not earlier than the reserve explains.
    expect(s.usd + c * ROW).toBeGreaterThanOrEqual(budgetUsd);
    expect(after.costUsd).toBeCloseTo(s.usd, 9);
  });

  test("the worst case: C rows pass the check together and all finish, overshoot ≤ C × a row", async () => {
    const h = makeHarness({ ai: pricedAi });
    const c = 4;
    const budgetUsd = 0.5 * ROW;
    const job = await create(h, 10, c, budgetUsd);
    const first = h.queue.pending.splice(0).map((id) => ({ id, payload: h.queue.all.get(id)! }));
    expect(first).toHaveLength(c);
    // Every lane checks before any row commits: all four start.
    await Promise.all(first.map((t) => h.handlers.runRowTask(t.payload, ctxFor(t.id))));
    await h.drain();
    const s = await spent(h, job.id);
    expect(s.rows).toBe(c);
    expect(s.usd).toBeCloseTo(c * ROW, 12);
    expect(s.usd).toBeLessThanOrEqual(budgetUsd + c * ROW);
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "paused", pausedReason: "budget" });
  });

  test("resume needs a raised budget; with one the batch goes on and every row counts once", async () => {
    const h = makeHarness({ ai: pricedAi });
    const job = await create(h, 12, 2, 3 * ROW);
    await h.drain();
    expect((await h.handlers.getJob(owner, job.id)).pausedReason).toBe("budget");
    await expect(h.handlers.resumeJob(owner, job.id)).rejects.toMatchObject({ code: "failed_precondition" });
    await expect(h.handlers.resumeJob(owner, job.id, { budgetUsd: 2 * ROW })).rejects.toMatchObject({ code: "failed_precondition" });
    await h.handlers.resumeJob(owner, job.id, { budgetUsd: 7 * ROW });
    await h.drain();
    const mid = await h.handlers.getJob(owner, job.id);
    expect(mid).toMatchObject({ status: "paused", pausedReason: "budget", budgetUsd: 7 * ROW });
    expect((await spent(h, job.id)).usd).toBeLessThanOrEqual(7 * ROW + 2 * ROW);
    await h.handlers.resumeJob(owner, job.id, { budgetUsd: 100 * ROW });
    await h.drain();
    const done = await h.handlers.getJob(owner, job.id);
    expect(done).toMatchObject({ status: "completed", completedRows: 12, failedRows: 0 });
    expect(done.costUsd).toBeCloseTo(12 * ROW, 9);
    expect(h.counted.map((e) => e.rowIndex).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  test("a cancelled batch resumed with a budgetUsd runs its new pass under that budget", async () => {
    // One row per delivery (no lane groups): the first delivery, before the cancel, runs exactly row 0.
    const h = makeHarness({ ai: pricedAi, limits: { groupTargetMs: 0 } });
    const job = await create(h, 10, 1);
    const first = h.queue.take()!;
    await h.handlers.runRowTask(first.payload, ctxFor(first.id));
    await h.handlers.cancelJob(owner, job.id);
    await h.drain();
    expect((await h.handlers.getJob(owner, job.id)).status).toBe("cancelled");
    const resumed = await h.handlers.resumeJob(owner, job.id, { budgetUsd: 3.5 * ROW });
    expect(resumed).toMatchObject({ status: "processing", budgetUsd: 3.5 * ROW, pass: 1 });
    await h.drain();
    const after = await h.handlers.getJob(owner, job.id);
    expect(after).toMatchObject({ status: "paused", pausedReason: "budget" });
    expect((await spent(h, job.id)).usd).toBeLessThanOrEqual(3.5 * ROW + ROW);
  });

  test("without a budget the batch runs to the end", async () => {
    const h = makeHarness({ ai: pricedAi });
    const job = await create(h, 6, 2);
    await h.drain();
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", budgetUsd: null, completedRows: 6 });
  });

  test("a budget must be positive", async () => {
    const h = makeHarness({ ai: pricedAi });
    await expect(create(h, 1, 1, 0)).rejects.toMatchObject({ code: "invalid_input" });
  });
});

describe("spend arithmetic", () => {
  test("committed is base plus lanes; the reserve is the average row cost per other lane in flight", () => {
    const job = { base: { completed: 2, failed: 0, usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 }, costUsd: 2 } } as never;
    const lane = (index: number, busy: boolean, succeeded: number, costUsd: number) =>
      ({ index, current: busy ? 0 : null, succeeded, failed: 0, costUsd, usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 } }) as never;
    const s = spendOf(job, [lane(0, true, 1, 1), lane(1, true, 1, 1), lane(2, false, 0, 0)], 0);
    expect(s).toEqual({ committedUsd: 4, reservedUsd: 1, perRowUsd: 1 });
    expect(budgetReached(5, s)).toBe(true);
    expect(budgetReached(5.01, s)).toBe(false);
  });
});
