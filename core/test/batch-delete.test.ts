/**
 * Deleting a batch leaves nothing of it: every document of the store and every blob is listed
 * before and after, and the only difference is the deleted job's. Running and paused batches are
 * refused, a pending one releases its owner slot, a crash between the two steps is completed by
 * the retention sweep, and retention deletes only finished batches older than N days.
 */
import { MemoryStore } from "../src/testing/memory-store";
import { DELETES, deleteMarkerPath } from "../src/batch/delete-job";
import { ownerSlotsPath } from "../src/batch/owner-slots";
import { slotDocPath } from "../src/governor/store-docs";
import { PermanentError } from "../src/errors";
import { COLUMNS, TWO_STEP_FLOW, makeHarness, rowsOf, type Harness } from "./support/batch-harness";
import { image, input, output, rawFlow, text } from "./support/flows";

const owner = { ownerId: "u1" };
const DAY = 86_400_000;

/** topic ──▶ pic ──▶ picture;  topic ──▶ line ──▶ caption */
const MEDIA_FLOW = rawFlow(
  [
    input("topic"),
    input("note"),
    image("pic", "A picture of {{topic}}"),
    text("line", "Caption {{topic}} {{note}}"),
    output("picture", "picture"),
    output("caption", "caption"),
  ],
  "topic>pic pic>picture topic>line note>line line>caption",
);

async function finishedJob(h: Harness, rows: number, extra: { requestId?: string } = {}) {
  const job = await h.handlers.createJob({ ...owner, flow: MEDIA_FLOW, columns: COLUMNS, rows: rowsOf(rows), concurrency: 2, start: true, ...extra });
  await h.drain();
  return h.handlers.getJob(owner, job.id);
}

function everything(h: Harness): string[] {
  return [...Object.keys(h.store.snapshot()), ...h.blobs.keys().map((k) => `blob:${k}`)];
}

describe("deleteJob", () => {
  it("removes the job, every document below it, its request record and its media, and nothing else", async () => {
    const h = makeHarness();
    const keep = await finishedJob(h, 3);
    const before = everything(h);
    const gone = await finishedJob(h, 5, { requestId: "req-1" });
    expect(gone.status).toBe("completed");
    const withJob = everything(h);
    // The job did write rows, lanes, claims, results, a request record and media.
    for (const part of ["/rows/", "/lanes/", "/claims/", "/results/"]) expect(withJob.some((p) => p.startsWith(`batch_jobs/${gone.id}${part}`))).toBe(true);
    expect(withJob.some((p) => p.startsWith("batch_requests/"))).toBe(true);
    expect(h.blobs.keys().some((k) => k.startsWith(`batch_jobs/${gone.id}/media/`))).toBe(true);

    await h.handlers.deleteJob(owner, gone.id);

    const after = everything(h);
    expect(after.filter((p) => p.includes(gone.id))).toEqual([]);
    // What stays is what was there before the job, plus the owner's slot document it shared.
    expect(after.filter((p) => !before.includes(p))).toEqual([]);
    expect(after.filter((p) => p.startsWith(`batch_jobs/${keep.id}`)).length).toBe(before.filter((p) => p.startsWith(`batch_jobs/${keep.id}`)).length);
    await expect(h.handlers.getJob(owner, gone.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(h.handlers.deleteJob(owner, gone.id)).rejects.toMatchObject({ code: "not_found" });
    // The request id may be used again: it creates a new batch.
    const again = await h.handlers.createJob({ ...owner, flow: MEDIA_FLOW, columns: COLUMNS, rows: rowsOf(1), requestId: "req-1" });
    expect(again.id).not.toBe(gone.id);
  });

  it("refuses a running or paused batch, with a message that says to cancel first, and deletes it once cancelled", async () => {
    const h = makeHarness();
    const job = await h.handlers.createJob({ ...owner, flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(4), concurrency: 1, start: true });
    await expect(h.handlers.deleteJob(owner, job.id)).rejects.toThrow(/is running: cancel it first/);
    await h.handlers.pauseJob(owner, job.id);
    await expect(h.handlers.deleteJob(owner, job.id)).rejects.toMatchObject({
      code: "failed_precondition",
      message: expect.stringMatching(/is paused: cancel it first/),
    });
    expect((await h.handlers.getJob(owner, job.id)).status).toBe("paused");
    await h.handlers.cancelJob(owner, job.id);
    await h.drain();
    expect((await h.handlers.getJob(owner, job.id)).status).toBe("cancelled");
    await h.handlers.deleteJob(owner, job.id);
    expect(Object.keys(h.store.snapshot(`batch_jobs/${job.id}`))).toEqual([]);
  });

  it("deletes a pending batch and frees its owner slot; another owner's batch is not found", async () => {
    const h = makeHarness();
    const job = await h.handlers.createJob({ ...owner, flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(2), callLimits: { byKind: { text: 1 } } });
    expect(Object.keys((await h.store.get<{ active: object }>(ownerSlotsPath("u1")))!.data.active)).toEqual([job.id]);
    await expect(h.handlers.deleteJob({ ownerId: "u2" }, job.id)).rejects.toBeInstanceOf(PermanentError);
    await h.store.set(slotDocPath(`job:${job.id}:kind:text`), { leases: {} }); // a lease the governor left
    await h.handlers.deleteJob(owner, job.id);
    expect((await h.store.get<{ active: object }>(ownerSlotsPath("u1")))!.data.active).toEqual({});
    expect(await h.store.get(slotDocPath(`job:${job.id}:kind:text`))).toBeNull();
    expect(h.store.docCount(DELETES)).toBe(0);
  });

  it("a purge a crash interrupted is completed by the next retention run", async () => {
    const h = makeHarness();
    const job = await finishedJob(h, 2);
    const failing = new Error("crash in the purge");
    const realDeleteTree = MemoryStore.prototype.deleteTree;
    const spy = jest.spyOn(h.store, "deleteTree").mockRejectedValueOnce(failing);
    await expect(h.handlers.deleteJob(owner, job.id)).rejects.toBe(failing);
    expect(await h.store.get(`batch_jobs/${job.id}`)).toBeNull(); // step 1 committed
    expect(await h.store.get(deleteMarkerPath(job.id))).not.toBeNull();
    spy.mockImplementation((p) => realDeleteTree.call(h.store, p));
    const out = await h.handlers.purgeExpired({ retentionDays: 30 });
    expect(out.resumed).toBe(1);
    expect(everything(h).filter((p) => p.includes(job.id))).toEqual([]);
  });
});

describe("purgeExpired (retention)", () => {
  it("deletes finished batches older than N days and keeps newer, pending and running ones", async () => {
    const h = makeHarness();
    const old = await finishedJob(h, 2);
    await h.clock.advance(10 * DAY);
    const recent = await finishedJob(h, 2);
    const pending = await h.handlers.createJob({ ...owner, flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(2) });
    const running = await h.handlers.createJob({ ...owner, flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(2), start: true });
    await h.clock.advance(DAY);
    expect(await h.handlers.purgeExpired({ retentionDays: 7 })).toEqual({ deleted: 1, resumed: 0 });
    const left = (await h.handlers.listJobs(owner)).map((j) => j.id).sort();
    expect(left).toEqual([recent.id, pending.id, running.id].sort());
    expect(left).not.toContain(old.id);
    expect(everything(h).filter((p) => p.includes(old.id))).toEqual([]);
  });

  it("refuses a retention that is not whole days of at least 1", async () => {
    const h = makeHarness();
    await expect(h.handlers.purgeExpired({ retentionDays: 0 })).rejects.toThrow();
    await expect(h.handlers.purgeExpired({ retentionDays: 1.5 })).rejects.toThrow();
  });
});
