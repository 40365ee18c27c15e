/**
 * createBatch (the real export, wrapped by firebase-functions-test) with a client `requestId`: a
 * retry after the start failed returns the same job and starts it; concurrent identical calls
 * create one job; a different payload under the same id is `already-exists` (core code
 * `conflict`); concurrent creates stay within the per-owner active-job limit.
 */
import { HttpsError } from "firebase-functions/v2/https";
import { OfflineAiService } from "@flowcraft/core";
import { Harness, auth, fft, textFlow } from "./support/harness";

afterAll(() => fft.cleanup());

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ topic: `t${i}` }));
const createReq = (uid: string, data: Record<string, unknown>) =>
  ({ data: { flow: textFlow(), columns: ["topic"], rows: rows(2), ...data }, auth: auth(uid) }) as never;
const REQUEST_ID = "6b0f3a52-1c9d-4e7a-8f21-3d4c5b6a7e80";

describe("createBatch with a requestId", () => {
  it("a retry after the start failed returns the same job and starts it", async () => {
    const h = new Harness({ ai: new OfflineAiService(), autoDeliver: false });
    h.queue.failNext = 1; // the start's first enqueue dies after the job and lanes were committed
    const first = await h.createBatch(createReq("alice", { requestId: REQUEST_ID, start: true })).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(HttpsError);
    expect(await h.store.count("batch_jobs")).toBe(1);
    const retried = await h.createBatch(createReq("alice", { requestId: REQUEST_ID, start: true }));
    expect(retried.job.status).toBe("processing");
    expect(await h.store.count("batch_jobs")).toBe(1);
    expect(h.queue.enqueued.map((t) => t.payload.jobId)).toEqual([retried.job.id, retried.job.id]);
  });

  it("two concurrent identical calls create one job", async () => {
    const h = new Harness({ ai: new OfflineAiService(), autoDeliver: false });
    const req = () => createReq("alice", { requestId: REQUEST_ID, start: false });
    const [a, b] = await Promise.all([h.createBatch(req()), h.createBatch(req())]);
    expect(a.job.id).toBe(b.job.id);
    expect(await h.store.count("batch_jobs")).toBe(1);
  });

  it("the same requestId with a different payload is already-exists (conflict) and writes nothing", async () => {
    const h = new Harness({ ai: new OfflineAiService(), autoDeliver: false });
    await h.createBatch(createReq("alice", { requestId: REQUEST_ID }));
    const docs = h.store.docCount();
    const err = (await h.createBatch(createReq("alice", { requestId: REQUEST_ID, rows: rows(3) })).catch((e: unknown) => e)) as HttpsError;
    expect(err).toBeInstanceOf(HttpsError);
    expect(err.code).toBe("already-exists");
    expect(err.details).toMatchObject({ code: "conflict", retryable: false });
    expect(h.store.docCount()).toBe(docs);
  });

  it("25 concurrent creates by one user leave at most 10 active; retried contention fills exactly 10", async () => {
    const h = new Harness({ ai: new OfflineAiService(), autoDeliver: false, limits: { maxActiveJobsPerOwner: 10 } });
    const ids = Array.from({ length: 25 }, (_, i) => `burst-${i}`);
    const call = (requestId: string) => h.createBatch(createReq("alice", { requestId }));
    const out = await Promise.allSettled(ids.map(call));
    const ok = out.filter((o) => o.status === "fulfilled").length;
    expect(ok).toBeLessThanOrEqual(10);
    expect(await h.store.count("batch_jobs")).toBe(ok);
    // Refused for the limit, or for contention (retryable): the client's retry, same request id.
    const codes = out.map((o) => (o.status === "rejected" ? (o.reason as HttpsError).code : "ok"));
    expect(codes.every((c) => ["ok", "resource-exhausted", "unavailable"].includes(c))).toBe(true);
    let left = ids.filter((_, i) => codes[i] === "unavailable");
    for (let round = 0; round < 5 && left.length > 0; round++) {
      const again = await Promise.allSettled(left.map(call));
      left = left.filter((_, i) => {
        const r = again[i];
        return r?.status === "rejected" && (r.reason as HttpsError).code === "unavailable";
      });
    }
    expect(left).toEqual([]);
    expect(await h.store.count("batch_jobs")).toBe(10);
  });
});
