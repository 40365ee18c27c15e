/**
 * The circuit breaker with tasks delivered by hand: rows failing with one permanent provider-wide
 * cause pause the batch (reason `circuit`, or `quota` for a spent daily quota) after 5 such rows;
 * the count is exact under duplicate deliveries; a row-specific safety block does not count; a
 * provider unreachable for 3 minutes pauses it too; resume after fixing the cause continues.
 */
import { PermanentError, RetryableError } from "../src/errors";
import { BREAKER_ROWS, UNREACHABLE_MS } from "../src/batch/breaker";
import type { TaskContext } from "../src/ports/task-queue";
import { ScriptedAi } from "./support/scripted-ai";
import { COLUMNS, TWO_STEP_FLOW, ctxFor, makeHarness, rowsOf, type Harness } from "./support/batch-harness";

const owner = { ownerId: "u1" };

async function newJob(h: Harness, n: number, concurrency: number, flow: unknown = TWO_STEP_FLOW) {
  return h.handlers.createJob({ ownerId: "u1", flow, columns: COLUMNS, rows: rowsOf(n), concurrency });
}

/** An AI whose every call fails with `fault()` while it returns an error, like a bad key until fixed. */
function faultyAi(fault: () => Error | null): ScriptedAi {
  return new ScriptedAi(() => {
    const err = fault();
    if (err) throw err;
    return undefined;
  });
}

describe("circuit breaker", () => {
  test("5 rows refused for the key pause the batch with the cause; resume after fixing the key continues", async () => {
    let keyBroken = true;
    const h = makeHarness({ ai: faultyAi(() => (keyBroken ? new PermanentError("auth", "Gemini refused the credentials (403 PERMISSION_DENIED)") : null)) });
    const job = await newJob(h, 20, 2);
    await h.handlers.startJob(owner, job.id);
    await h.drain();
    const paused = await h.handlers.getJob(owner, job.id);
    expect(paused).toMatchObject({
      status: "paused",
      pausedReason: "circuit",
      pauseDetail: { code: "auth", message: "Gemini refused the credentials (403 PERMISSION_DENIED)" },
    });
    // the trip comes at the fifth counted row; a row of the other lane may already be in flight
    expect(paused.failedRows).toBeGreaterThanOrEqual(BREAKER_ROWS);
    expect(paused.failedRows).toBeLessThanOrEqual(BREAKER_ROWS + 1);
    expect(h.started.length).toBe(paused.failedRows);

    keyBroken = false;
    await h.handlers.resumeJob(owner, job.id);
    await h.drain();
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", completedRows: 20 - paused.failedRows, failedRows: paused.failedRows });
  });

  test("the count is exact under duplicate deliveries: 4 refused rows delivered twice each do not trip it", async () => {
    const h = makeHarness({ ai: faultyAi(() => null) });
    const ai = new ScriptedAi((call) => {
      if (/topic [0-3]\b/.test(call.prompt)) throw new PermanentError("auth", "refused");
      return undefined;
    });
    h.deps.ai = ai;
    const job = await newJob(h, 8, 1);
    await h.handlers.startJob(owner, job.id);
    for (;;) {
      const t = h.queue.take();
      if (!t) break;
      const ctx: TaskContext = ctxFor(t.id);
      await Promise.all([h.handlers.runRowTask(t.payload, ctx), h.handlers.runRowTask(t.payload, ctx)]);
      await h.handlers.runRowTask(t.payload, ctx); // a late redelivery after the commit
    }
    await h.drain();
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", failedRows: 4, completedRows: 4, pausedReason: null });
  });

  test("a spent daily quota pauses with reason quota", async () => {
    const h = makeHarness({ ai: faultyAi(() => new PermanentError("quota_exhausted", "Gemini's daily quota for this model is exhausted")) });
    const job = await newJob(h, 12, 3);
    await h.handlers.startJob(owner, job.id);
    await h.drain();
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "paused", pausedReason: "quota", pauseDetail: { code: "quota_exhausted" } });
  });

  test("a safety block counts only on a prompt every row shares", async () => {
    const shared = {
      nodes: [
        { id: "topic", type: "input", data: { column: "topic" } },
        { id: "intro", type: "text", data: { prompt: "A fixed intro [[safety]]" } },
        { id: "result", type: "output", data: { name: "result" } },
        { id: "t", type: "output", data: { name: "t" } },
      ],
      edges: [
        { source: "intro", target: "result" },
        { source: "topic", target: "t" },
      ],
    };
    const h1 = makeHarness();
    const j1 = await h1.handlers.createJob({
      ownerId: "u1",
      flow: shared,
      columns: ["topic"],
      rows: rowsOf(10).map((r) => ({ topic: r.topic ?? "" })),
      concurrency: 1,
    });
    await h1.handlers.startJob(owner, j1.id);
    await h1.drain();
    expect(await h1.handlers.getJob(owner, j1.id)).toMatchObject({
      status: "paused",
      pausedReason: "circuit",
      failedRows: BREAKER_ROWS,
      pauseDetail: { code: "safety_blocked" },
    });

    // the marker comes from each row's own cell: the prompt differs per row, nothing trips
    const h2 = makeHarness();
    const j2 = await h2.handlers.createJob({ ownerId: "u1", flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(10, () => "[[safety]]"), concurrency: 1 });
    await h2.handlers.startJob(owner, j2.id);
    await h2.drain();
    expect(await h2.handlers.getJob(owner, j2.id)).toMatchObject({ status: "failed", failedRows: 10, pausedReason: null });
  });

  test("a provider unreachable for 3 minutes pauses the batch; rows reaching it again after resume finish", async () => {
    let down = true;
    const h = makeHarness({ ai: faultyAi(() => (down ? new RetryableError("unavailable", "Could not reach Gemini (network error)") : null)) });
    const job = await newJob(h, 6, 2);
    await h.handlers.startJob(owner, job.id);
    const retries = new Map<string, number>();
    // The queue's own backoff: one minute between attempts, a generous budget.
    for (let round = 0; round < 20; round++) {
      const t = h.queue.take();
      if (!t) break;
      const n = retries.get(t.id) ?? 0;
      try {
        await h.handlers.runRowTask(t.payload, { taskId: t.id, retryCount: n, isLastAttempt: false, maxAttempts: 50, retryDelayMs: 60_000 });
      } catch {
        retries.set(t.id, n + 1);
        h.queue.pending.push(t.id);
        await h.clock.advance(60_000);
      }
    }
    const paused = await h.handlers.getJob(owner, job.id);
    expect(paused).toMatchObject({ status: "paused", pausedReason: "circuit", pauseDetail: { code: "unavailable" }, completedRows: 0 });
    expect(paused.pauseDetail?.message).toContain("No answer from the AI provider for 3 min");
    expect((paused.pausedAt ?? 0) - (paused.startedAt ?? 0)).toBeGreaterThanOrEqual(UNREACHABLE_MS);

    down = false;
    await h.handlers.resumeJob(owner, job.id);
    await h.drain({ maxAttempts: 50 });
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", completedRows: 6 });
  });
});
