/**
 * The economy driver over the real handlers (MemoryStore, a hand-cranked queue, offline provider
 * batch jobs on a manual clock): an economy job's text layers go through provider batch jobs in
 * order, one provider job per group even under duplicate deliveries and a crash around the
 * provider's create, its results equal a realtime job's, its cost is half, and cancel stops the
 * provider jobs. Without `deps.economy` an economy job runs realtime as before.
 */
import { type BatchItemOutcome, type CreateBatchJobRequest, INLINE_BATCH_LIMIT_BYTES, type ProviderBatchJobs, type ProviderJob } from "../src/ai/batch-port";
import { OfflineBatchJobs } from "../src/ai/offline-batches";
import type { AiService, TextRequest, TextResult } from "../src/ai/port";
import { OfflineAiService } from "../src/ai/offline";
import type { BatchTask } from "../src/batch/api";
import { ProviderJobRecord } from "../src/economy/provider-job-record";
import { COLUMNS, TWO_STEP_FLOW, ctxFor, deliverOne, makeHarness, rowsOf, type Harness } from "./support/batch-harness";
import { image, input, output, rawFlow, text } from "./support/flows";

const owner = { ownerId: "u1" };

/** Counts realtime text calls over the offline answers. */
class CountingText implements AiService {
  readonly name = "offline";
  text = 0;
  images = 0;
  /** Prompts of the realtime text calls. */
  readonly prompts: string[] = [];
  private readonly offline: OfflineAiService;
  constructor(clock: Harness["clock"]) {
    this.offline = new OfflineAiService({ latencyMs: 0, clock });
  }
  generateText(req: TextRequest): Promise<TextResult> {
    this.text += 1;
    this.prompts.push(req.prompt);
    return this.offline.generateText(req);
  }
  generateImage = (req: Parameters<AiService["generateImage"]>[0]) => {
    this.images += 1;
    return this.offline.generateImage(req);
  };
  generateVideo = (req: Parameters<AiService["generateVideo"]>[0]) => this.offline.generateVideo(req);
}

/** Provider batch jobs that count creates and can fail right after the provider made the job (a crash). */
class Batches implements ProviderBatchJobs {
  readonly provider = "offline";
  readonly maxJobRequestBytes = INLINE_BATCH_LIMIT_BYTES;
  creates = 0;
  crashAfterCreate = 0;
  readonly inner: OfflineBatchJobs;
  constructor(clock: Harness["clock"]) {
    // Its own offline service: the batch answers are not realtime calls of the job.
    this.inner = new OfflineBatchJobs(new OfflineAiService({ latencyMs: 0, clock }), { clock, delayMs: 60_000 });
  }
  async create(req: CreateBatchJobRequest): Promise<ProviderJob> {
    this.creates += 1;
    const job = await this.inner.create(req);
    if (this.crashAfterCreate > 0) {
      this.crashAfterCreate -= 1;
      throw new Error("process died after the provider's create");
    }
    return job;
  }
  get = (name: string) => this.inner.get(name);
  cancelFails = 0;
  cancel = (name: string) => {
    if (this.cancelFails > 0) {
      this.cancelFails -= 1;
      return Promise.reject(new Error("provider unreachable"));
    }
    return this.inner.cancel(name);
  };
  findByDisplayName = (d: string) => this.inner.findByDisplayName(d);
  results = (name: string, items: Parameters<ProviderBatchJobs["results"]>[1]): Promise<BatchItemOutcome[]> => this.inner.results(name, items);
}

function economyHarness(): { h: Harness; ai: CountingText; batches: Batches } {
  const h = makeHarness();
  const ai = new CountingText(h.clock);
  h.deps.ai = ai;
  const batches = new Batches(h.clock);
  h.deps.economy = { batches, pollIntervalMs: 10_000, maxPollIntervalMs: 20_000 };
  return { h, ai, batches };
}

/** Delivers every queued task (each `copies` times), advancing the clock before each poll, until idle. */
async function run(h: Harness, o: { copies?: number; maxTasks?: number } = {}): Promise<void> {
  const attempts = new Map<string, number>();
  for (let i = 0; i < (o.maxTasks ?? 10_000); i++) {
    const next = h.queue.take();
    if (!next) {
      // Result triggers and the lanes' row tasks (they enqueue no economy task).
      await h.drain();
      if (h.queue.pending.length === 0) return;
      continue;
    }
    const task = next.payload as BatchTask;
    if ("kind" in task && task.kind === "economy-poll") await h.clock.advance(20_000);
    const attempt = attempts.get(next.id) ?? 0;
    try {
      await Promise.all(Array.from({ length: o.copies ?? 1 }, () => h.handlers.runRowTask(task, ctxFor(next.id, attempt, 10))));
    } catch {
      attempts.set(next.id, attempt + 1);
      h.queue.pending.push(next.id);
    }
  }
}

async function records(h: Harness, jobId: string): Promise<ProviderJobRecord[]> {
  return (await h.store.query(`batch_jobs/${jobId}/provider_jobs`)).map((d) => ProviderJobRecord.parse(d.data));
}

async function outputsOf(h: Harness, jobId: string) {
  const page = await h.handlers.listResults(owner, jobId, { limit: 100 });
  return page.results.map((r) => ({ row: r.rowIndex, status: r.status, outputs: r.outputs }));
}

async function realtimeRun(n: number, note?: (i: number) => string) {
  const h = makeHarness();
  const job = await h.handlers.createJob({ ownerId: "u1", flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(n, note), concurrency: 2 });
  await h.handlers.startJob(owner, job.id);
  await h.drain();
  return { job: await h.handlers.getJob(owner, job.id), outputs: await outputsOf(h, job.id) };
}

async function economyJob(h: Harness, n: number, note?: (i: number) => string) {
  return h.handlers.createJob({ ownerId: "u1", flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(n, note), concurrency: 2, mode: "economy" });
}

/** Starts the job and delivers its first layer's task, which is then the only one queued. */
async function startFirstLayer(h: Harness, jobId: string): Promise<void> {
  await h.handlers.startJob(owner, jobId);
  expect(h.queue.pending).toEqual([`eco-${jobId}-p0-L0`]);
  await deliverOne(h);
}

describe("economy driver", () => {
  test("layers run in order through one provider job each; results equal realtime's; no realtime text call; half the cost", async () => {
    const { h, ai, batches } = economyHarness();
    const job = await economyJob(h, 6);
    await h.handlers.startJob(owner, job.id);
    // No lanes yet: the only task is the first layer's.
    expect(h.queue.pending).toEqual([`eco-${job.id}-p0-L0`]);
    expect(await h.store.query(`batch_jobs/${job.id}/lanes`)).toHaveLength(0);
    await run(h);
    const done = await h.handlers.getJob(owner, job.id);
    const realtime = await realtimeRun(6);
    expect(done).toMatchObject({ status: "completed", completedRows: 6, failedRows: 0 });
    expect(await outputsOf(h, job.id)).toEqual(realtime.outputs);
    expect(ai.text).toBe(0);
    expect(batches.creates).toBe(2);
    expect(done.costUsd).toBeGreaterThan(0);
    expect(done.costUsd).toBeCloseTo(realtime.job.costUsd / 2, 9);
    const recs = await records(h, job.id);
    const l0 = recs.filter((r) => r.layer === 0);
    const l1 = recs.filter((r) => r.layer === 1);
    expect([l0.length, l1.length]).toEqual([1, 1]);
    expect(recs.every((r) => r.status === "settled" && r.outcome === "results")).toBe(true);
    // Layer 1 was recorded only after layer 0 had answered.
    expect(Math.min(...l1.map((r) => r.createdAt))).toBeGreaterThanOrEqual(Math.max(...l0.map((r) => r.lastPolledAt ?? Infinity)));
    expect(done.economy?.layers.map((l) => [l.layer, l.done, l.requests])).toEqual([
      [0, true, 6],
      [1, true, 6],
    ]);
    expect(done.economy?.realtimeCostUsd).toBeCloseTo(realtime.job.costUsd, 9);
    expect(h.finished).toHaveLength(1);
  });

  test("every task delivered twice at once: still one provider job per group, rows counted once", async () => {
    const { h, batches } = economyHarness();
    const job = await economyJob(h, 5);
    await h.handlers.startJob(owner, job.id);
    await run(h, { copies: 2 });
    expect(batches.creates).toBe(2);
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", completedRows: 5 });
    expect(h.counted).toHaveLength(5);
  });

  test("a crash after the provider's create and before the name was stored adopts the orphan", async () => {
    const { h, batches } = economyHarness();
    batches.crashAfterCreate = 1;
    const job = await economyJob(h, 4);
    await h.handlers.startJob(owner, job.id);
    await run(h);
    expect(batches.creates).toBe(2); // the orphan of layer 0 was found by display name, not made again
    const l0 = (await records(h, job.id)).filter((r) => r.layer === 0);
    expect(await batches.inner.findByDisplayName(l0[0]?.displayName ?? "")).toHaveLength(1);
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", completedRows: 4 });
  });

  test("a first poll that meets its job's create still in flight polls again on schedule, not after the submit lease", async () => {
    const { h, batches } = economyHarness();
    let release = (): void => {};
    const held = new Promise<void>((r) => (release = r));
    const create = batches.create.bind(batches);
    batches.create = async (req) => {
      const job = await create(req);
      if (batches.creates === 1) await held; // the provider has the job; its name is not back yet
      return job;
    };
    const job = await economyJob(h, 3);
    await h.handlers.startJob(owner, job.id);
    const layer = h.queue.take()!;
    const submitting = h.handlers.runRowTask(layer.payload, ctxFor(layer.id));
    for (let i = 0; i < 1000 && batches.creates === 0; i++) await new Promise((r) => setImmediate(r));
    expect(batches.creates).toBe(1);
    const poll = h.queue.take()!;
    expect(poll.id).toMatch(/-n0$/);
    await expect(h.handlers.runRowTask(poll.payload as BatchTask, ctxFor(poll.id))).resolves.toBeUndefined();
    expect(h.queue.pending).toEqual([poll.id.replace(/-n0$/, "-n1")]);
    release();
    await submitting;
    await run(h);
    expect(batches.creates).toBe(2);
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", completedRows: 3 });
  });

  test("a failed provider job falls back: its nodes run realtime at the standard price, outputs unchanged", async () => {
    const { h, ai } = economyHarness();
    const note = (i: number) => (i < 2 ? "[[batch-failed]]" : "");
    const job = await economyJob(h, 4, note);
    await h.handlers.startJob(owner, job.id);
    await run(h);
    const done = await h.handlers.getJob(owner, job.id);
    const realtime = await realtimeRun(4, note);
    expect(await outputsOf(h, job.id)).toEqual(realtime.outputs);
    // Layer 1 holds every row's `polish` (one job, failed): 4 realtime calls; layer 0 answered.
    expect(ai.text).toBe(4);
    expect(done.costUsd).toBeGreaterThan(realtime.job.costUsd / 2);
    expect(done.costUsd).toBeLessThan(realtime.job.costUsd);
  });

  test("a per-item error fails that row's node as in realtime; the other rows complete", async () => {
    const { h } = economyHarness();
    const note = (i: number) => (i === 1 ? "[[fail]]" : "");
    const job = await economyJob(h, 3, note);
    await h.handlers.startJob(owner, job.id);
    await run(h);
    const realtime = await realtimeRun(3, note);
    const mine = await outputsOf(h, job.id);
    expect(mine.map((r) => r.status)).toEqual(["succeeded", "failed", "succeeded"]);
    expect(mine).toEqual(realtime.outputs);
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", completedRows: 2, failedRows: 1 });
  });

  test("cancel while a layer runs cancels the provider job and counts every row as not run", async () => {
    const { h, batches } = economyHarness();
    const job = await economyJob(h, 3);
    await startFirstLayer(h, job.id);
    const cancelled = await h.handlers.cancelJob(owner, job.id);
    expect(cancelled).toMatchObject({ status: "cancelled", skippedRows: 3, completedRows: 0 });
    const recs = await records(h, job.id);
    expect(recs.map((r) => r.outcome)).toEqual(["cancelled"]);
    expect((await batches.inner.get(recs[0]?.providerJobName ?? "")).state).toBe("cancelled");
    await run(h);
    expect(h.started).toHaveLength(0);
    expect(batches.creates).toBe(1);
    expect(h.finished).toHaveLength(1);
  });

  test("a cancel whose provider call fails still cancels the batch; the provider job's next poll stops it", async () => {
    const { h, batches } = economyHarness();
    const job = await economyJob(h, 3);
    await startFirstLayer(h, job.id);
    batches.cancelFails = 1;
    expect(await h.handlers.cancelJob(owner, job.id)).toMatchObject({ status: "cancelled", skippedRows: 3 });
    const open = await records(h, job.id);
    expect(open.map((r) => r.status)).toEqual(["submitted"]);
    await run(h);
    const after = await records(h, job.id);
    expect(after.map((r) => [r.status, r.outcome])).toEqual([["settled", "cancelled"]]);
    expect((await batches.inner.get(after[0]?.providerJobName ?? "")).state).toBe("cancelled");
    expect(h.started).toHaveLength(0);
  });

  test("while the layers run the pass has no lanes and is not over: reconcile does not finalize it", async () => {
    const { h } = economyHarness();
    const job = await economyJob(h, 3);
    await startFirstLayer(h, job.id);
    await h.handlers.reconcile({ olderThanMs: 0 });
    await h.handlers.setConcurrency(owner, job.id, 3);
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "processing", completedRows: 0 });
    expect(await h.store.query(`batch_jobs/${job.id}/lanes`)).toHaveLength(0);
    await run(h);
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", completedRows: 3 });
    expect(await h.store.query(`batch_jobs/${job.id}/lanes`)).toHaveLength(3);
  });

  test("a lost poll task and a lost layer task are made again by reconcile, and the job completes", async () => {
    const { h, batches } = economyHarness();
    const job = await economyJob(h, 3);
    await startFirstLayer(h, job.id);
    // The queue gives up on the layer's poll: nothing would ever poll the provider job again.
    const lost = h.queue.take();
    expect(lost?.payload).toMatchObject({ kind: "economy-poll", n: 0 });
    expect(h.queue.pending).toHaveLength(0);
    await h.clock.advance(10_000);
    expect(await h.handlers.reconcile({ olderThanMs: 1_000 })).toMatchObject({ redriven: 0 }); // not quiet for long enough yet
    await h.clock.advance(120_000);
    expect(await h.handlers.reconcile({ olderThanMs: 1_000 })).toMatchObject({ redriven: 1 });
    // The re-driven poll settles layer 0 and asks for layer 1; that task is lost too.
    for (;;) {
      const next = h.queue.take();
      if (!next) break;
      const payload = next.payload as BatchTask;
      if ("kind" in payload && payload.kind === "economy") continue;
      await h.handlers.runRowTask(payload, ctxFor(next.id));
    }
    await h.clock.advance(120_000);
    expect(await h.handlers.reconcile({ olderThanMs: 1_000 })).toMatchObject({ redriven: 1 });
    await run(h);
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", completedRows: 3 });
    expect(batches.creates).toBe(2);
  });

  test("pause while a layer runs: the provider jobs go on, the lanes open paused; resume finishes the rows", async () => {
    const { h, batches } = economyHarness();
    const job = await economyJob(h, 4);
    await startFirstLayer(h, job.id);
    expect(await h.handlers.pauseJob(owner, job.id)).toMatchObject({ status: "paused" });
    await run(h);
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "paused", completedRows: 0 });
    expect(batches.creates).toBe(2);
    expect(h.started).toHaveLength(0);
    await h.handlers.resumeJob(owner, job.id);
    await run(h);
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", completedRows: 4 });
    expect(h.counted).toHaveLength(4);
  });

  //   topic ─▶ caption (text) ─▶ picture (image) ─▶ alt (text) ─▶ out_alt
  //                       └──────▶ out_caption          └────────▶ out_picture
  test("a flow with an image step: the text step above it is batched, the image and the text step below it run realtime in the row tasks", async () => {
    const flow = rawFlow(
      [
        input("topic"),
        text("caption", "Caption {{topic}}"),
        image("picture", "Draw {{caption}}"),
        text("alt", "Alt text for {{caption}}"),
        output("out_caption", "caption"),
        output("out_picture", "picture"),
        output("out_alt", "alt"),
      ],
      "topic>caption caption>picture picture>alt caption>out_caption picture>out_picture alt>out_alt",
    );
    const rows = ["owls", "rain", "tea", "maps"].map((topic) => ({ topic }));
    const { h, ai, batches } = economyHarness();
    const job = await h.handlers.createJob({ ownerId: "u1", flow, columns: ["topic"], rows, concurrency: 2, mode: "economy" });
    await h.handlers.startJob(owner, job.id);
    await run(h);
    const done = await h.handlers.getJob(owner, job.id);
    expect(done).toMatchObject({ status: "completed", completedRows: 4, failedRows: 0 });
    // One layer (caption), one provider job; the image and `alt` ran realtime once per row.
    expect(batches.creates).toBe(1);
    expect(done.economy?.layers.map((l) => [l.layer, l.done, l.requests])).toEqual([[0, true, 4]]);
    expect([ai.text, ai.images]).toEqual([4, 4]);
    expect(ai.prompts.every((p) => p.startsWith("Alt text for "))).toBe(true);

    const rt = makeHarness();
    const rtJob = await rt.handlers.createJob({ ownerId: "u1", flow, columns: ["topic"], rows, concurrency: 2 });
    await rt.handlers.startJob(owner, rtJob.id);
    await rt.drain();
    const realtime = await rt.handlers.getJob(owner, rtJob.id);
    const textOf = (r: { row: number; status: string; outputs: unknown }) => {
      const o = r.outputs as Record<string, { text?: string; kind?: string; mimeType?: string; bytes?: number }>;
      return [r.row, r.status, o.caption?.text, o.alt?.text, o.picture?.kind, o.picture?.mimeType, o.picture?.bytes];
    };
    const mine = (await outputsOf(h, job.id)).map(textOf);
    expect(mine.every((r) => typeof r[2] === "string" && typeof r[3] === "string" && r[4] === "mediaRef" && r[5] === "image/png")).toBe(true);
    expect(mine).toEqual((await outputsOf(rt, rtJob.id)).map(textOf));
    // Cost: the realtime price less half of the batched captions.
    const perRow = realtime.costUsd / 4;
    expect(done.costUsd).toBeLessThan(realtime.costUsd);
    expect(done.costUsd).toBeGreaterThan(realtime.costUsd / 2);
    const captions = done.economy?.realtimeCostUsd ?? 0;
    expect(captions).toBeGreaterThan(0);
    expect(captions).toBeLessThan(perRow * 4);
    expect(done.costUsd).toBeCloseTo(realtime.costUsd - captions / 2, 9);
  });

  test.each([
    ["turned off", undefined],
    ["left without provider batch jobs", {}],
  ])("the driver %s while a layer runs: the pass leaves its layers and the rows run realtime to the end", async (_label, after) => {
    const { h, ai } = economyHarness();
    const job = await economyJob(h, 3);
    await h.handlers.startJob(owner, job.id);
    const layer = h.queue.take();
    if (!layer) throw new Error("no layer task");
    await h.handlers.runRowTask(layer.payload, ctxFor(layer.id));
    if (after === undefined) delete h.deps.economy;
    else h.deps.economy = after;
    await run(h);
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", completedRows: 3, failedRows: 0 });
    // Both text steps of every row ran realtime; the open provider job was left to the provider.
    expect(ai.text).toBe(6);
    expect(await outputsOf(h, job.id)).toEqual((await realtimeRun(3)).outputs);
    expect((await records(h, job.id)).map((r) => r.status)).toEqual(["submitted"]);
  });

  //   topic ─▶ grid (text, JSON with arrays of arrays) ─▶ sum (text, {{grid.rows}}) ─▶ out
  test("a JSON answer holding arrays of arrays (which a document cannot hold) is stored and answers the next layer and the row", async () => {
    const schema = { type: "object", properties: { rows: { type: "array", items: { type: "array", items: { type: "number" } } } }, required: ["rows"] };
    const flow = rawFlow(
      [input("topic"), text("grid", "A grid for {{topic}}", { jsonSchema: schema }), text("sum", "Sum of {{grid.rows}}"), output("out", "sum")],
      "topic>grid grid>sum sum>out",
    );
    const rows = ["owls", "rain"].map((topic) => ({ topic }));
    const { h, ai } = economyHarness();
    const job = await h.handlers.createJob({ ownerId: "u1", flow, columns: ["topic"], rows, concurrency: 2, mode: "economy" });
    await h.handlers.startJob(owner, job.id);
    await run(h);
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", completedRows: 2, failedRows: 0 });
    expect(ai.text).toBe(0);
    const rt = makeHarness();
    const rtJob = await rt.handlers.createJob({ ownerId: "u1", flow, columns: ["topic"], rows, concurrency: 2 });
    await rt.handlers.startJob(owner, rtJob.id);
    await rt.drain();
    const realtime = await outputsOf(rt, rtJob.id);
    expect(JSON.stringify(realtime)).toContain("[[");
    expect(await outputsOf(h, job.id)).toEqual(realtime);
  });

  test("without provider batch jobs on the host an economy job runs its rows realtime", async () => {
    const h = makeHarness();
    const job = await economyJob(h, 3);
    await h.handlers.startJob(owner, job.id);
    await h.drain();
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", completedRows: 3 });
    expect(await h.store.query(`batch_jobs/${job.id}/provider_jobs`)).toHaveLength(0);
  });
});
