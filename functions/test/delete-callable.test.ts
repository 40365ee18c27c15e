/**
 * The deleteBatch callable and the purgeExpiredBatches schedule through the real exported
 * functions: every document of the store and every blob is listed before and after, and nothing
 * of the deleted batch is left; a running batch is failed-precondition; another user's is not-found.
 */
import { OfflineAiService, type Job } from "@flowcraft/core";
import { image, input, output, rawFlow } from "../../core/test/support/flows";
import { Harness, auth, fft, httpsErrorOf } from "./support/harness";

afterAll(() => fft.cleanup());

/** topic ──▶ draw (image) ──▶ picture */
const imageFlow = rawFlow([input("topic"), image("draw", "A picture of {{topic}}"), output("out", "picture")], "topic>draw draw>out");

async function finished(h: Harness, uid: string, topics: string[], requestId?: string): Promise<Job> {
  const data = {
    flow: imageFlow,
    columns: ["topic"],
    rows: topics.map((topic) => ({ topic })),
    concurrency: 2,
    start: true,
    ...(requestId ? { requestId } : {}),
  };
  const { job } = await h.createBatch({ data, auth: auth(uid) } as never);
  await h.drain();
  return (await h.store.get<Job>(`batch_jobs/${job.id}`))!.data;
}

const everything = (h: Harness): string[] => [...Object.keys(h.store.snapshot()), ...h.blobs.keys().map((k) => `blob:${k}`)];

describe("deleteBatch callable", () => {
  it("deletes the caller's finished batch and leaves nothing of it in the store or the blob store", async () => {
    const h = new Harness({ ai: new OfflineAiService() });
    const keep = await finished(h, "alice", ["a"]);
    const gone = await finished(h, "alice", ["x", "y", "z"], "req-9");
    expect(gone.status).toBe("completed");
    const before = everything(h);
    expect(before.filter((p) => p.includes(gone.id)).length).toBeGreaterThan(5);
    expect(h.blobs.keys().some((k) => k.startsWith(`batch_jobs/${gone.id}/media/`))).toBe(true);

    const foreign = await httpsErrorOf(h.deleteBatch({ data: { jobId: gone.id }, auth: auth("mallory") } as never));
    expect(foreign.code).toBe("not-found");
    const out = await h.deleteBatch({ data: { jobId: gone.id }, auth: auth("alice") } as never);
    expect(out).toEqual({ id: gone.id, deleted: true });

    const after = everything(h);
    expect(after.filter((p) => p.includes(gone.id))).toEqual([]);
    // The request record of `req-9` is gone too; the other batch keeps all it had.
    expect(after.filter((p) => p.startsWith("batch_requests/"))).toEqual([]);
    expect(after.filter((p) => p.includes(keep.id))).toEqual(before.filter((p) => p.includes(keep.id)));
    const again = await httpsErrorOf(h.deleteBatch({ data: { jobId: gone.id }, auth: auth("alice") } as never));
    expect(again.code).toBe("not-found");
  });

  it("refuses a running batch as failed-precondition saying to cancel first", async () => {
    const h = new Harness({ ai: new OfflineAiService(), autoDeliver: false });
    const { job } = await h.createBatch({ data: { flow: imageFlow, columns: ["topic"], rows: [{ topic: "a" }], start: true }, auth: auth("alice") } as never);
    const err = await httpsErrorOf(h.deleteBatch({ data: { jobId: job.id }, auth: auth("alice") } as never));
    expect(err.code).toBe("failed-precondition");
    expect(err.message).toMatch(/cancel it first/);
    expect(await h.store.get(`batch_jobs/${job.id}`)).not.toBeNull();
    const bad = await httpsErrorOf(h.deleteBatch({ data: {}, auth: auth("alice") } as never));
    expect(bad.code).toBe("invalid-argument");
  });
});

describe("purgeExpiredBatches schedule", () => {
  const saved = process.env.RETENTION_DAYS;
  afterEach(() => {
    if (saved === undefined) delete process.env.RETENTION_DAYS;
    else process.env.RETENTION_DAYS = saved;
  });

  it("deletes finished batches older than RETENTION_DAYS and keeps the rest", async () => {
    const { purgeExpiredBatches } = await import("../src/index");
    const h = new Harness({ ai: new OfflineAiService() });
    const old = await finished(h, "alice", ["a"]);
    const recent = await finished(h, "bob", ["b"]);
    await h.store.update(`batch_jobs/${old.id}`, { finishedAt: Date.now() - 40 * 86_400_000 });
    process.env.RETENTION_DAYS = "30";
    await purgeExpiredBatches.run({ scheduleTime: new Date().toISOString() });
    expect(everything(h).filter((p) => p.includes(old.id))).toEqual([]);
    expect((await h.store.get<Job>(`batch_jobs/${recent.id}`))?.data.status).toBe("completed");
  });

  it("keeps every batch when RETENTION_DAYS is 0", async () => {
    const { purgeExpiredBatches } = await import("../src/index");
    const h = new Harness({ ai: new OfflineAiService() });
    const old = await finished(h, "alice", ["a"]);
    await h.store.update(`batch_jobs/${old.id}`, { finishedAt: Date.now() - 400 * 86_400_000 });
    process.env.RETENTION_DAYS = "0";
    await purgeExpiredBatches.run({ scheduleTime: new Date().toISOString() });
    expect(await h.store.get(`batch_jobs/${old.id}`)).not.toBeNull();
  });
});
