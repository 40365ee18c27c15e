/**
 * Groups of short rows (row-group.ts) with tasks delivered by hand: one task runs the rows of the
 * lower half of its lane's range one after another and commits them in ONE transaction (one lane
 * write for the group); a pause read between rows stops the group; a row taken from the lane while
 * it ran is left out of the commit (and, on a retry pass, the thief's result for it does not void the
 * commit); a retryable failure after the group's first row ends the group
 * and that row leads the lane's next task as a re-enqueued attempt. Counts stay exactly once.
 */
import { ManualClock } from "../src/testing/manual-clock";
import { resultPath, RowResult } from "../src/batch/model";
import { lanePath } from "../src/batch/state";
import { COLUMNS, TWO_STEP_FLOW, makeHarness, rowsOf, type Harness, deliverOne, laneOf, HookedAi } from "./support/batch-harness";

const owner = { ownerId: "u1" };

async function newJob(h: Harness, n: number, concurrency: number, note?: (i: number) => string) {
  return h.handlers.createJob({ ownerId: "u1", flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(n, note), concurrency });
}

const laneWrites = (h: Harness, jobId: string, index: number): number => h.store.writeLog.filter((w) => w.path === lanePath(jobId, index)).length;

describe("groups of short rows", () => {
  test("one task runs its position and the lower half of its range, and commits them with one lane write", async () => {
    const h = makeHarness();
    const job = await newJob(h, 9, 1);
    await h.handlers.startJob(owner, job.id);
    const before = laneWrites(h, job.id, 0);
    await deliverOne(h);
    // Position 0, then [1, 9): its lower half is 1..4 (a steal would take 5..8).
    expect(h.counted.map((c) => c.rowIndex)).toEqual([0, 1, 2, 3, 4]);
    expect(laneWrites(h, job.id, 0) - before).toBe(1);
    expect(await laneOf(h, job.id, 0)).toMatchObject({ current: 5, next: 6, end: 9, succeeded: 5, busy: true, open: false });
    // (three short rows left: less than MIN_STEAL_MS of work in the half a steal would take, so not open)
    await h.drain();
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", completedRows: 9, failedRows: 0 });
    expect(h.counted.map((c) => c.rowIndex).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(h.started).toHaveLength(9);
    expect(laneWrites(h, job.id, 0) - before).toBeLessThan(9);
  });

  test("a pause read between two rows stops the group: the rows run are counted, the rest wait for resume", async () => {
    let h: Harness | null = null;
    let jobId = "";
    const clock = new ManualClock(1_700_000_000_000);
    h = makeHarness({ ai: new HookedAi(clock, "topic 1", async () => void (await h?.handlers.pauseJob(owner, jobId))) });
    const job = await newJob(h, 9, 1);
    jobId = job.id;
    await h.handlers.startJob(owner, job.id);
    await deliverOne(h);
    expect(h.counted.map((c) => c.rowIndex)).toEqual([0, 1]);
    expect(h.started.map((s) => s.rowIndex)).toEqual([0, 1]);
    expect(await laneOf(h, job.id, 0)).toMatchObject({ current: null, next: 2, end: 9, busy: false });
    await h.drain();
    expect(h.started).toHaveLength(2);
    await h.handlers.resumeJob(owner, job.id);
    await h.drain();
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", completedRows: 9 });
    expect(h.counted.map((c) => c.rowIndex).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  test("a row taken from the lane while it ran (two steals) is left out of the group's commit", async () => {
    let h: Harness | null = null;
    let jobId = "";
    const clock = new ManualClock(1_700_000_000_000);
    // While row 3 runs, the lane's range is cut to end at 3, as two quick steals would leave it.
    const cut = async (): Promise<void> => {
      const doc = await h?.store.get(lanePath(jobId, 0));
      if (doc) await h?.store.set(doc.path, { ...doc.data, end: 3, open: true });
    };
    h = makeHarness({ ai: new HookedAi(clock, "topic 3", cut) });
    const job = await newJob(h, 9, 1);
    jobId = job.id;
    await h.handlers.startJob(owner, job.id);
    await deliverOne(h);
    expect(h.started.map((s) => s.rowIndex)).toEqual([0, 1, 2, 3]);
    expect(h.counted.map((c) => c.rowIndex)).toEqual([0, 1, 2]);
    expect(await laneOf(h, job.id, 0)).toMatchObject({ current: null, next: 3, end: 3, succeeded: 3, open: false });
  });

  test("on a retry pass, a row stolen and committed by the thief while the group ran it does not void the group's commit", async () => {
    let h: Harness | null = null;
    let jobId = "";
    let pass1 = false;
    let row3: RowResult | null = null;
    const clock = new ManualClock(1_700_000_000_000);
    // While row 3 runs again in pass 1, two steals cut the lane's range to end at 3 and the thief
    // commits row 3's pass-1 result before this group commits.
    const stealAndCommit = async (): Promise<void> => {
      const doc = await h?.store.get(lanePath(jobId, 0));
      if (doc) await h?.store.set(doc.path, { ...doc.data, end: 3, open: true });
      if (row3) await h?.store.set(resultPath(jobId, 3), { ...row3, pass: 1, status: "succeeded", error: null });
    };
    h = makeHarness({ ai: new HookedAi(clock, "topic 3", stealAndCommit, () => pass1) });
    const job = await newJob(h, 9, 1, () => "[[fail-first]]");
    jobId = job.id;
    await h.handlers.startJob(owner, job.id);
    await h.drain();
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "failed", failedRows: 9 });
    const failed = await h.store.get(resultPath(jobId, 3));
    row3 = failed ? RowResult.parse(failed.data) : null;
    expect(row3).toMatchObject({ pass: 0, status: "failed" });
    await h.handlers.retryFailed(owner, job.id);
    pass1 = true;
    h.counted.length = 0;
    h.started.length = 0;
    await deliverOne(h);
    expect(h.started.map((s) => s.rowIndex)).toEqual([0, 1, 2, 3]);
    expect(h.counted.map((c) => c.rowIndex)).toEqual([0, 1, 2]);
    expect(await laneOf(h, job.id, 0)).toMatchObject({ pass: 1, current: null, next: 3, end: 3, succeeded: 3 });
  });

  test("a retryable failure after the first row ends the group; that row leads the next task as attempt 2", async () => {
    const h = makeHarness();
    const job = await newJob(h, 9, 1, (i) => (i === 2 ? "[[retryable-once]]" : ""));
    await h.handlers.startJob(owner, job.id);
    await deliverOne(h);
    expect(h.counted.map((c) => c.rowIndex)).toEqual([0, 1]);
    const lane = await laneOf(h, job.id, 0);
    expect(lane).toMatchObject({ current: 2, next: 3, attemptBase: 1, busy: true });
    expect(lane.retry).toMatchObject({ rowIndex: 2, attempt: 2, reenqueued: true });
    const queued = h.queue.pending.map((id) => h.queue.all.get(id)).filter((t) => t && !("kind" in t));
    expect(queued).toEqual([expect.objectContaining({ rowIndex: 2, attempt: 1 })]);
    await h.drain();
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", completedRows: 9, failedRows: 0 });
    expect(h.started.filter((s) => s.rowIndex === 2).map((s) => s.attempt)).toEqual([0, 1]);
    expect(h.counted.map((c) => c.rowIndex).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  test("with groupTargetMs 0 every task runs one row", async () => {
    const h = makeHarness({ limits: { groupTargetMs: 0 } });
    const job = await newJob(h, 5, 1);
    await h.handlers.startJob(owner, job.id);
    await deliverOne(h);
    expect(h.counted.map((c) => c.rowIndex)).toEqual([0]);
  });
});
