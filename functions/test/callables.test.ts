/**
 * The exported callables, wrapped by firebase-functions-test: auth required, zod input errors with
 * field/row details, core validation and ownership errors mapped through the one table, the
 * per-owner cap on active jobs, and the happy paths (create, start, cancel, concurrency, retry,
 * preview, single generations) over the offline AI provider.
 */
import { FIREBASE_LIMITS, OfflineAiService, type Job } from "@flowcraft/core";
import { Harness, auth, fft, httpsErrorOf, textFlow } from "./support/harness";

afterAll(() => fft.cleanup());

const rows = (n: number, prefix = "t") => Array.from({ length: n }, (_, i) => ({ topic: `${prefix}${i}` }));
const createReq = (uid: string | null, data: Record<string, unknown>) =>
  ({ data: { flow: textFlow(), columns: ["topic"], rows: rows(2), ...data }, ...(uid ? { auth: auth(uid) } : {}) }) as never;

describe("batch callables", () => {
  let h: Harness;
  beforeEach(() => {
    h = new Harness({ ai: new OfflineAiService(), autoDeliver: false });
  });

  it("rejects a caller without auth as unauthenticated and writes nothing", async () => {
    const err = await httpsErrorOf(h.createBatch(createReq(null, {})));
    expect(err.code).toBe("unauthenticated");
    expect(await h.store.count("batch_jobs")).toBe(0);
  });

  it("rejects a malformed payload as invalid-argument naming the row and field", async () => {
    const err = await httpsErrorOf(h.createBatch(createReq("alice", { rows: [{ topic: "ok" }, { topic: 7 }], concurrency: "x" })));
    expect(err.code).toBe("invalid-argument");
    const paths = (err.details as { details: { path: string }[] }).details.map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(["rows[1].topic", "concurrency"]));
    expect(await h.store.count("batch_jobs")).toBe(0);
  });

  it("stores a batch's callLimits on the job, and rejects a bad one naming its path", async () => {
    const callLimits = { byKind: { text: 4, video: 1 } };
    const { job } = await h.createBatch(createReq("alice", { callLimits, start: false }));
    expect(job.callLimits).toEqual(callLimits);
    const err = await httpsErrorOf(h.createBatch(createReq("alice", { callLimits: { byKind: { video: 0 } } })));
    expect(err.code).toBe("invalid-argument");
    const paths = (err.details as { details: { path: string }[] }).details.map((d) => d.path);
    expect(paths).toEqual(["callLimits.byKind.video"]);
  });

  it("maps the core's flow validation to invalid-argument with the core's details", async () => {
    const flow = { nodes: [{ id: "x", type: "text", data: { prompt: "uses {{missing}}" } }], edges: [] };
    const err = await httpsErrorOf(h.createBatch(createReq("alice", { flow })));
    expect(err.code).toBe("invalid-argument");
    const info = err.details as { code: string; details: unknown[] };
    expect(info.code).toBe("invalid_flow");
    expect(info.details.length).toBeGreaterThan(0);
  });

  it("creates a draft, hides it from other users, and starts it for its owner", async () => {
    const { job } = await h.createBatch(createReq("alice", { start: false }));
    expect(job.status).toBe("pending");
    expect(h.queue.enqueued).toHaveLength(0);

    const foreign = await httpsErrorOf(h.startBatch({ data: { jobId: job.id }, auth: auth("mallory") } as never));
    expect(foreign.code).toBe("not-found");
    expect((await h.store.get<Job>(`batch_jobs/${job.id}`))!.data.status).toBe("pending");

    const started = await h.startBatch({ data: { jobId: job.id }, auth: auth("alice") } as never);
    expect(started.job.status).toBe("processing");
    expect(h.queue.enqueued.map((t) => t.payload.rowIndex)).toEqual([0, 1]);
  });

  it("cancels and changes concurrency only for the owner", async () => {
    const { job } = await h.createBatch(createReq("alice", { rows: rows(6), concurrency: 2, start: true }));
    const foreign = await httpsErrorOf(h.cancelBatch({ data: { jobId: job.id }, auth: auth("mallory") } as never));
    expect(foreign.code).toBe("not-found");
    const bad = await httpsErrorOf(h.setBatchConcurrency({ data: { jobId: job.id, concurrency: 1.5 }, auth: auth("alice") } as never));
    expect(bad.code).toBe("invalid-argument");
    const tooMany = await httpsErrorOf(h.setBatchConcurrency({ data: { jobId: job.id, concurrency: 500 }, auth: auth("alice") } as never));
    expect(tooMany.code).toBe("invalid-argument");
    const changed = await h.setBatchConcurrency({ data: { jobId: job.id, concurrency: 3 }, auth: auth("alice") } as never);
    expect(changed.job.concurrency).toBe(3);
    const cancelled = await h.cancelBatch({ data: { jobId: job.id }, auth: auth("alice") } as never);
    expect(cancelled.job.cancelRequested).toBe(true);
  });

  it("pauses and resumes only for the owner; a bad budget is invalid-argument; pausing a draft is failed-precondition", async () => {
    const { job } = await h.createBatch(createReq("alice", { rows: rows(6), concurrency: 2, start: true }));
    const foreign = await httpsErrorOf(h.pauseBatch({ data: { jobId: job.id }, auth: auth("mallory") } as never));
    expect(foreign.code).toBe("not-found");
    const paused = await h.pauseBatch({ data: { jobId: job.id }, auth: auth("alice") } as never);
    expect(paused.job).toMatchObject({ status: "paused", pausedReason: "user" });
    expect((await h.store.get<Job>(`batch_jobs/${job.id}`))!.data.status).toBe("paused");
    const badBudget = await httpsErrorOf(h.resumeBatch({ data: { jobId: job.id, budgetUsd: -3 }, auth: auth("alice") } as never));
    expect(badBudget.code).toBe("invalid-argument");
    const resumed = await h.resumeBatch({ data: { jobId: job.id, budgetUsd: 4 }, auth: auth("alice") } as never);
    expect(resumed.job).toMatchObject({ status: "processing", pausedReason: null });
    const draft = await h.createBatch(createReq("alice", { start: false }));
    const early = await httpsErrorOf(h.pauseBatch({ data: { jobId: draft.job.id }, auth: auth("alice") } as never));
    expect(early.code).toBe("failed-precondition");
  });

  it("createBatch takes a budgetUsd (kept on the job); a budget that is not positive is invalid-argument", async () => {
    const { job } = await h.createBatch(createReq("alice", { budgetUsd: 2.5, start: false }));
    expect(job.budgetUsd).toBe(2.5);
    expect((await h.store.get<Job>(`batch_jobs/${job.id}`))!.data.budgetUsd).toBe(2.5);
    const bad = await httpsErrorOf(h.createBatch(createReq("alice", { budgetUsd: -1 })));
    expect(bad.code).toBe("invalid-argument");
  });

  it("caps active jobs per owner with resource-exhausted", async () => {
    h = new Harness({ ai: new OfflineAiService(), autoDeliver: false, limits: { maxActiveJobsPerOwner: 1 } });
    await h.createBatch(createReq("alice", {}));
    const err = await httpsErrorOf(h.createBatch(createReq("alice", {})));
    expect(err.code).toBe("resource-exhausted");
    expect((err.details as { code: string }).code).toBe("limit_exceeded");
    await expect(h.createBatch(createReq("bob", {}))).resolves.toBeDefined();
  });

  it("rejects a malformed job id before any lookup", async () => {
    const err = await httpsErrorOf(h.retryFailedRows({ data: { jobId: "../etc" }, auth: auth("alice") } as never));
    expect(err.code).toBe("invalid-argument");
    expect((err.details as { details: { path: string }[] }).details[0]!.path).toBe("jobId");
  });
});

describe("AI callables", () => {
  const h = new Harness({ ai: new OfflineAiService(), autoDeliver: false });

  it("generateText answers with the provider's text and usage", async () => {
    const res = (await h.generateText({ data: { model: "gemini-2.5-flash", prompt: "hello" }, auth: auth("alice") } as never)) as {
      text: string;
      usage: { totalTokens: number };
    };
    expect(res.text.length).toBeGreaterThan(0);
    expect(res.usage.totalTokens).toBeGreaterThan(0);
  });

  it("generateImage returns the image as a data URL", async () => {
    const res = (await h.generateImage({ data: { model: "gemini-2.5-flash-image", prompt: "a cat" }, auth: auth("alice") } as never)) as {
      mimeType: string;
      dataUrl: string;
    };
    expect(res.dataUrl.startsWith(`data:${res.mimeType};base64,`)).toBe(true);
  });

  it("maps a provider's permanent failure through the table", async () => {
    const err = await httpsErrorOf(h.generateText({ data: { model: "m", prompt: "please [[fail]]" }, auth: auth("alice") } as never));
    expect(err.code).toBe("invalid-argument");
    expect((err.details as { code: string }).code).toBe("bad_request");
  });

  it("previewFlow runs one row and returns its outputs", async () => {
    const res = (await h.previewFlow({ data: { flow: textFlow(), row: { topic: "tea" } }, auth: auth("alice") } as never)) as {
      run: { status: string; outputs: Record<string, { kind: string }> };
    };
    expect(res.run.status).toBe("succeeded");
    expect(res.run.outputs.summary?.kind).toBe("text");
  });

  it("previewFlow holds the flow to the batch node limit, like the local host", async () => {
    const nodes = Array.from({ length: FIREBASE_LIMITS.maxNodes + 1 }, (_, i) => ({
      id: `n${i}`,
      type: "text",
      data: { model: "gemini-2.5-flash", prompt: "about {{topic}}" },
    }));
    const err = await httpsErrorOf(h.previewFlow({ data: { flow: { nodes, edges: [] }, row: { topic: "tea" } }, auth: auth("alice") } as never));
    expect(err.code).toBe("invalid-argument");
    expect(JSON.stringify(err.details)).toContain(`the limit is ${FIREBASE_LIMITS.maxNodes}`);
  });

  it("generateText takes maxOutputTokens and refuses an unknown field, like the local host", async () => {
    const res = (await h.generateText({ data: { model: "gemini-2.5-flash", prompt: "hello", maxOutputTokens: 64 }, auth: auth("alice") } as never)) as {
      text: string;
    };
    expect(typeof res.text).toBe("string");
    const err = await httpsErrorOf(h.generateText({ data: { model: "gemini-2.5-flash", prompt: "hello", maxTokens: 64 }, auth: auth("alice") } as never));
    expect(err.code).toBe("invalid-argument");
  });

  it("previewFlow requires auth", async () => {
    const err = await httpsErrorOf(h.previewFlow({ data: { flow: textFlow(), row: { topic: "tea" } } } as never));
    expect(err.code).toBe("unauthenticated");
  });
});
