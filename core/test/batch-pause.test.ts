/**
 * Pause and resume with tasks delivered by hand: no row starts while paused, rows in flight finish
 * and are counted, a waiting retry is handed back, resume continues with the rows left, a paused
 * job can be cancelled, and a cancelled job resumes its never-run rows as a new pass.
 */
import { OfflineAiService } from "../src/ai/offline";
import type { AiService, TextRequest } from "../src/ai/port";
import { ManualClock } from "../src/testing/manual-clock";
import { ownerSlotsPath, type OwnerSlots } from "../src/batch/owner-slots";
import { Lane } from "../src/batch/state";
import type { TaskContext } from "../src/ports/task-queue";
import { COLUMNS, TWO_STEP_FLOW, makeHarness, rowsOf, type Harness, deliverOne } from "./support/batch-harness";

const owner = { ownerId: "u1" };

async function newJob(h: Harness, n: number, concurrency: number, note?: (i: number) => string) {
  return h.handlers.createJob({ ownerId: "u1", flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(n, note), concurrency });
}

async function lanes(h: Harness, jobId: string): Promise<Lane[]> {
  return (await h.store.query(`batch_jobs/${jobId}/lanes`)).map((d) => Lane.parse(d.data));
}

/** The offline AI, with a hook that runs inside the first text call (a row in flight). */
class HookedAi implements AiService {
  readonly name = "hooked";
  private readonly inner: OfflineAiService;
  constructor(
    clock: ManualClock,
    private hook: (() => Promise<void>) | null,
  ) {
    this.inner = new OfflineAiService({ latencyMs: 0, clock });
  }
  async generateText(req: TextRequest) {
    const hook = this.hook;
    this.hook = null;
    if (hook) await hook();
    return this.inner.generateText(req);
  }
  generateImage = (req: Parameters<AiService["generateImage"]>[0]) => this.inner.generateImage(req);
  generateVideo = (req: Parameters<AiService["generateVideo"]>[0]) => this.inner.generateVideo(req);
}

describe("pause and resume", () => {
  test("a row in flight when the job pauses finishes and is counted; no new row starts until resume", async () => {
    let h: Harness | null = null;
    let jobId = "";
    const clock = new ManualClock(1_700_000_000_000);
    const ai = new HookedAi(clock, async () => {
      await h?.handlers.pauseJob(owner, jobId);
    });
    h = makeHarness({ ai });
    const job = await newJob(h, 6, 2);
    jobId = job.id;
    await h.handlers.startJob(owner, job.id);
    await deliverOne(h); // row 0 pauses the job while it runs, then commits
    expect(h.counted).toEqual([{ jobId, rowIndex: 0, pass: 0, status: "succeeded" }]);
    await h.drain(); // row 3 (lane 1) was queued before the pause: delivered now, it must not start
    expect(h.started.map((s) => s.rowIndex)).toEqual([0]);
    const paused = await h.handlers.getJob(owner, job.id);
    expect(paused).toMatchObject({ status: "paused", pausedReason: "user", completedRows: 1, pauseDetail: null });
    expect(paused.pausedAt).toEqual(expect.any(Number));
    expect((await lanes(h, job.id)).every((l) => l.current === null)).toBe(true);
    // pause again: nothing changes; the owner's active set keeps the job
    await expect(h.handlers.pauseJob(owner, job.id)).resolves.toMatchObject({ status: "paused", pausedAt: paused.pausedAt });
    const slots = await h.store.get<OwnerSlots>(ownerSlotsPath("u1"));
    expect(Object.keys(slots?.data.active ?? {})).toEqual([job.id]);

    await expect(h.handlers.resumeJob(owner, job.id)).resolves.toMatchObject({ status: "processing", pausedReason: null, pausedAt: null });
    expect(h.queue.pending).toHaveLength(2);
    await expect(h.handlers.resumeJob(owner, job.id)).resolves.toMatchObject({ status: "processing" });
    expect(h.queue.pending).toHaveLength(2);
    await h.drain();
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", completedRows: 6, failedRows: 0, pausedReason: null });
    expect(h.counted.map((c) => c.rowIndex).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(h.finished).toHaveLength(1);
  });

  test("a row waiting for a re-enqueued retry is handed back at pause and runs again after resume", async () => {
    const h = makeHarness();
    const job = await newJob(h, 2, 1, (i) => (i === 0 ? "[[retryable-once]]" : ""));
    await h.handlers.startJob(owner, job.id);
    const withBudget = (id: string): TaskContext => ({ taskId: id, retryCount: 0, isLastAttempt: false, maxAttempts: 5 });
    await deliverOne(h, withBudget); // row 0 fails with a provider delay: re-enqueued as a new task
    expect((await lanes(h, job.id))[0]?.retry?.reenqueued).toBe(true);
    await h.handlers.pauseJob(owner, job.id);
    const [lane] = await lanes(h, job.id);
    expect(lane).toMatchObject({ current: null, next: 0, retry: null, gen: 1 });
    await h.drain(); // the delayed task arrives: stale, nothing runs
    expect(h.started.map((s) => s.rowIndex)).toEqual([0]);
    await h.handlers.resumeJob(owner, job.id);
    await h.drain();
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", completedRows: 2, failedRows: 0 });
    expect(h.counted.map((c) => c.rowIndex)).toEqual([0, 1]);
  });

  test("a row in flight that fails retryably while paused goes back to its lane instead of waiting out the delay", async () => {
    let h: Harness | null = null;
    let jobId = "";
    const clock = new ManualClock(1_700_000_000_000);
    h = makeHarness({ ai: new HookedAi(clock, async () => void (await h?.handlers.pauseJob(owner, jobId))) });
    const job = await newJob(h, 3, 1, (i) => (i === 0 ? "[[retryable-once]]" : ""));
    jobId = job.id;
    await h.handlers.startJob(owner, job.id);
    const withBudget = (id: string): TaskContext => ({ taskId: id, retryCount: 0, isLastAttempt: false, maxAttempts: 5 });
    await deliverOne(h, withBudget); // row 0: the first node pauses the job, the second fails with a delay
    const [lane] = await lanes(h, job.id);
    expect(lane).toMatchObject({ current: null, next: 0, retry: null });
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "paused", completedRows: 0, failedRows: 0 });
    await h.handlers.resumeJob(owner, job.id);
    await h.drain();
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", completedRows: 3 });
    expect(h.counted.map((c) => c.rowIndex)).toEqual([0, 1, 2]);
  });

  test("a paused job whose last rows commit while paused finalizes as usual", async () => {
    let h: Harness | null = null;
    let jobId = "";
    const clock = new ManualClock(1_700_000_000_000);
    h = makeHarness({ ai: new HookedAi(clock, async () => void (await h?.handlers.pauseJob(owner, jobId))) });
    const job = await newJob(h, 1, 1);
    jobId = job.id;
    await h.handlers.startJob(owner, job.id);
    await h.drain();
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", completedRows: 1, pausedReason: null, pausedAt: null });
    expect(h.finished).toHaveLength(1);
  });

  test("cancelling a paused job skips the rest; resuming the cancelled job runs only its never-run rows as a new pass", async () => {
    // One row per task (no groups), so one delivery is one row.
    const h = makeHarness({ limits: { groupTargetMs: 0 } });
    const job = await newJob(h, 8, 2);
    await h.handlers.startJob(owner, job.id);
    await deliverOne(h);
    await h.handlers.pauseJob(owner, job.id);
    await h.drain();
    const cancelled = await h.handlers.cancelJob(owner, job.id);
    expect(cancelled).toMatchObject({ status: "cancelled", completedRows: 1, skippedRows: 7, pausedReason: null });
    const slots = await h.store.get<OwnerSlots>(ownerSlotsPath("u1"));
    expect(Object.keys(slots?.data.active ?? {})).toEqual([]);

    const resumed = await h.handlers.resumeJob(owner, job.id);
    expect(resumed).toMatchObject({ status: "processing", pass: 1, passRows: 7, skippedRows: 0, cancelRequested: false });
    await h.drain();
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", completedRows: 8, skippedRows: 0 });
    expect(
      h.counted
        .filter((c) => c.pass === 1)
        .map((c) => c.rowIndex)
        .sort(),
    ).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(h.started.filter((s) => s.rowIndex === 0)).toHaveLength(1);
    expect(h.finished.map((f) => f.status)).toEqual(["cancelled", "completed"]);
  });

  test("pause and resume refuse what they cannot do, saying what to do instead", async () => {
    const h = makeHarness();
    const job = await newJob(h, 2, 1);
    await expect(h.handlers.pauseJob(owner, job.id)).rejects.toMatchObject({ code: "failed_precondition" });
    await expect(h.handlers.resumeJob(owner, job.id)).rejects.toMatchObject({ code: "failed_precondition" });
    await h.handlers.startJob(owner, job.id);
    await h.drain();
    await expect(h.handlers.pauseJob(owner, job.id)).rejects.toMatchObject({ code: "failed_precondition" });
    await expect(h.handlers.resumeJob(owner, job.id)).rejects.toMatchObject({ code: "failed_precondition" });
    await expect(h.handlers.pauseJob({ ownerId: "other" }, job.id)).rejects.toMatchObject({ code: "not_found" });
  });

  test("a concurrency raised while paused applies at resume", async () => {
    const h = makeHarness();
    const job = await newJob(h, 20, 1);
    await h.handlers.startJob(owner, job.id);
    await h.handlers.pauseJob(owner, job.id);
    await h.drain();
    await h.handlers.setConcurrency(owner, job.id, 4);
    expect(h.queue.pending).toHaveLength(0);
    await h.handlers.resumeJob(owner, job.id);
    expect(h.queue.pending).toHaveLength(4);
    await h.drain();
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", completedRows: 20 });
  });
});
