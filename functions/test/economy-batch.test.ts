/**
 * An economy batch end to end on the Firebase host, through the real exported functions with the
 * ECONOMY_BATCH_JOBS param on (deps built by production's rule, runtime/economy-deps.ts) and the
 * offline provider's batch jobs on a fake clock: createBatch → job-created trigger → layer task →
 * poll tasks (held with their `scheduleDelaySeconds`, released after the clock moved) → next
 * layer → row tasks → result triggers → completed. Its results equal the realtime run's, every
 * layer shows done in `job.economy`, the cost is the batch price, and no text call ran realtime.
 * A cancel mid-layer (from a callable, which has no provider batch jobs) is carried out by the
 * provider job's next poll; duplicate deliveries make no second provider job. With the param off
 * an economy batch runs realtime, also one that was in its layers when the param was turned off.
 */
import type { Job, RowResult } from "@flowcraft/core";
import { ManualClock } from "@flowcraft/core/testing";
import { Harness, auth, fft, type QueuedTask } from "./support/harness";
import { CountingOffline } from "../../core/test/support/counting-ai";
import { TWO_LAYER_FLOW } from "../../core/test/support/flows";

afterAll(() => fft.cleanup());

//   topic ──▶ caption (text) ──▶ draw (image) ──▶ out "picture"
//                     └──▶ out "caption"
const WITH_IMAGE = {
  nodes: [
    { id: "topic", type: "input", data: { column: "topic" } },
    { id: "caption", type: "text", data: { model: "gemini-2.5-flash", prompt: "Caption for {{topic}}." } },
    { id: "draw", type: "image", data: { model: "gemini-2.5-flash-image", prompt: "A picture of {{caption}}" } },
    { id: "out_caption", type: "output", data: { name: "caption" } },
    { id: "out_picture", type: "output", data: { name: "picture" } },
  ],
  edges: [
    { source: "topic", target: "caption" },
    { source: "caption", target: "draw" },
    { source: "caption", target: "out_caption" },
    { source: "draw", target: "out_picture" },
  ],
};

/** A provider batch job takes this long on the fake clock (the first poll, after 30 s, finds it unfinished). */
const BATCH_DELAY_MS = 90_000;

/** The offline provider on a fake clock, counting realtime calls (its batch jobs answer without them) and batch creates. */
class Counting extends CountingOffline {
  constructor(readonly clock = new ManualClock(1_700_000_000_000)) {
    super({ batchDelayMs: BATCH_DELAY_MS, clock });
  }
}

const TOPICS = ["owls", "rain", "tea", "maps", "kites", "salt"];

async function create(h: Harness, flow: unknown, mode: "economy" | "realtime"): Promise<string> {
  const { job } = await h.createBatch({
    data: { name: "eco", flow, columns: ["topic"], rows: TOPICS.map((topic) => ({ topic })), concurrency: 2, start: true, mode },
    auth: auth("alice"),
  } as never);
  return job.id;
}

/** Runs every delivery, then the held delayed tasks after moving the provider clock by their delay, until nothing is left. */
async function runToEnd(h: Harness, ai: Counting): Promise<QueuedTask[]> {
  const released: QueuedTask[] = [];
  for (let round = 0; round < 100; round++) {
    await h.drain();
    const n = await h.releaseDelayed(async (tasks) => {
      released.push(...tasks);
      await ai.clock.advance(Math.max(...tasks.map((t) => t.delayMs ?? 0)));
    });
    if (n === 0) return released;
  }
  throw new Error("the batch did not settle in 100 rounds");
}

async function jobOf(h: Harness, id: string): Promise<Job> {
  return (await h.store.get<Job>(`batch_jobs/${id}`))!.data;
}

async function resultsOf(h: Harness, id: string) {
  const docs = await h.store.query<RowResult>(`batch_jobs/${id}/results`, { orderBy: { field: "rowIndex" } });
  return docs.map((d) => ({ row: d.data.rowIndex, status: d.data.status, outputs: d.data.outputs }));
}

async function realtimeRun(flow: unknown) {
  const ai = new Counting();
  const h = new Harness({ ai });
  const id = await create(h, flow, "realtime");
  await h.drain();
  expect(h.errors).toEqual([]);
  return { ai, job: await jobOf(h, id), results: await resultsOf(h, id) };
}

describe("economy batch on the Firebase host, ECONOMY_BATCH_JOBS on", () => {
  it("runs its layers through provider batch jobs from delayed poll tasks and ends like the realtime run, at the batch price", async () => {
    const ai = new Counting();
    const h = new Harness({ ai, economy: { enabled: true }, holdDelayed: true });
    const id = await create(h, TWO_LAYER_FLOW, "economy");
    // Started by createBatch (no provider batch jobs in a callable): no lanes, the first layer's task only.
    expect(h.queue.enqueued.map((t) => t.id)).toEqual([`eco-${id}-p0-L0`]);
    await h.drain();
    // The layer task (in runBatchRow) submitted layer 0 and left its first poll, 30 s out, on the queue.
    expect(h.delayed.map((t) => [(t.payload as { kind?: string }).kind, t.delayMs])).toEqual([["economy-poll", 30_000]]);
    expect((await jobOf(h, id)).economy?.layers.map((l) => [l.layer, l.done])).toEqual([[0, false]]);
    const released = await runToEnd(h, ai);
    expect(h.errors).toEqual([]);

    const job = await jobOf(h, id);
    expect(job).toMatchObject({ status: "completed", completedRows: 6, failedRows: 0, mode: "economy" });
    expect(ai.text).toBe(0);
    expect(ai.creates).toBe(2);
    // Three polls per provider job, each a task delayed as the driver asked: pending after 30 s,
    // running 30 s later, done after 60 s more (the wait doubles); then the next layer.
    const polls = released.filter((t) => (t.payload as { kind?: string }).kind === "economy-poll");
    expect(polls.map((t) => [(t.payload as { layer?: number }).layer, (t.payload as { n?: number }).n, t.delayMs])).toEqual([
      [0, 0, 30_000],
      [0, 1, 30_000],
      [0, 2, 60_000],
      [1, 0, 30_000],
      [1, 1, 30_000],
      [1, 2, 60_000],
    ]);
    // The lanes opened only after the last layer: no row task before the layer-2 (end of layers) task.
    const order = h.queue.enqueued.map((t) => t.id);
    const firstRow = order.findIndex((t) => /-r\d+-L\d+-g\d+$/.test(t));
    expect(firstRow).toBeGreaterThan(order.indexOf(`eco-${id}-p0-L2`));
    expect(job.economy?.layers.map((l) => [l.layer, l.done, l.requests, l.states])).toEqual([
      [0, true, 6, { succeeded: 1 }],
      [1, true, 6, { succeeded: 1 }],
    ]);
    const records = await h.store.query<{ status: string; outcome: string }>(`batch_jobs/${id}/provider_jobs`);
    expect(records.map((r) => [r.data.status, r.data.outcome])).toEqual([
      ["settled", "results"],
      ["settled", "results"],
    ]);
    const results = await resultsOf(h, id);

    const realtime = await realtimeRun(TWO_LAYER_FLOW);
    expect(realtime.ai.text).toBe(12);
    expect(results).toEqual(realtime.results);
    expect(realtime.job.costUsd).toBeGreaterThan(0);
    expect(job.costUsd).toBeCloseTo(realtime.job.costUsd / 2, 9);
    expect(job.economy?.realtimeCostUsd).toBeCloseTo(realtime.job.costUsd, 9);
  });

  it("every task and trigger event delivered twice at once: one provider job per layer, each row counted once", async () => {
    const ai = new Counting();
    const h = new Harness({ ai, economy: { enabled: true }, holdDelayed: true, duplicate: true });
    const id = await create(h, TWO_LAYER_FLOW, "economy");
    await runToEnd(h, ai);
    // A copy that found the other holding the submit lease answered 503 (Cloud Tasks retries it).
    for (const err of h.errors) expect(err).toMatchObject({ code: "unavailable" });
    expect(h.failedTasks.every((t) => (t.payload as { kind?: string }).kind?.startsWith("economy"))).toBe(true);
    // Cloud Tasks' retries of those deliveries, once everything settled, change nothing.
    const before = { job: await jobOf(h, id), results: await resultsOf(h, id) };
    for (const t of h.failedTasks) await h.deliverTask(t, 1);
    await runToEnd(h, ai);
    expect(await resultsOf(h, id)).toEqual(before.results);
    const job = await jobOf(h, id);
    expect(job).toEqual(before.job);
    expect(job).toMatchObject({ status: "completed", completedRows: 6, failedRows: 0, skippedRows: 0 });
    expect([ai.text, ai.creates]).toEqual([0, 2]);
    expect(await h.store.count(`batch_jobs/${id}/results`)).toBe(6);
    expect(job.economy?.layers.map((l) => [l.layer, l.done, l.requests])).toEqual([
      [0, true, 6],
      [1, true, 6],
    ]);
  });

  it("a flow with an image step: the caption is batched, the image runs realtime in the row tasks", async () => {
    const ai = new Counting();
    const h = new Harness({ ai, economy: { enabled: true }, holdDelayed: true });
    const id = await create(h, WITH_IMAGE, "economy");
    await runToEnd(h, ai);
    expect(h.errors).toEqual([]);
    const job = await jobOf(h, id);
    expect(job).toMatchObject({ status: "completed", completedRows: 6, failedRows: 0 });
    expect([ai.text, ai.images, ai.creates]).toEqual([0, 6, 1]);
    expect(job.economy?.layers.map((l) => [l.layer, l.done, l.requests])).toEqual([[0, true, 6]]);
    const results = await resultsOf(h, id);

    const realtime = await realtimeRun(WITH_IMAGE);
    // Media refs name the job; everything else is the realtime run's.
    const comparable = (rows: typeof results) =>
      rows.map((r) => {
        const { ref, ...picture } = (r.outputs as unknown as { picture: { ref: string } }).picture;
        expect(ref).toMatch(/\/draw\.png$/);
        return { ...r, outputs: { ...r.outputs, picture } };
      });
    expect(comparable(results)).toEqual(comparable(realtime.results));
    const captions = job.economy?.realtimeCostUsd ?? 0;
    expect(captions).toBeGreaterThan(0);
    expect(job.costUsd).toBeCloseTo(realtime.job.costUsd - captions / 2, 9);
  });

  it("cancel mid-layer: the batch is cancelled at once, the provider job by its next poll; no row runs", async () => {
    const ai = new Counting();
    const h = new Harness({ ai, economy: { enabled: true }, holdDelayed: true });
    const id = await create(h, TWO_LAYER_FLOW, "economy");
    await h.drain();
    expect(h.delayed).toHaveLength(1);
    const cancelled = (await h.cancelBatch({ data: { jobId: id }, auth: auth("alice") } as never)) as { job: Job } | Job;
    const after = "job" in cancelled ? cancelled.job : cancelled;
    expect(after).toMatchObject({ status: "cancelled", skippedRows: 6, completedRows: 0 });
    // The callable holds no provider batch jobs: the record is still open until the poll comes.
    const open = await h.store.query<{ status: string; providerJobName: string }>(`batch_jobs/${id}/provider_jobs`);
    expect(open.map((r) => r.data.status)).toEqual(["submitted"]);
    await runToEnd(h, ai);
    expect(h.errors).toEqual([]);
    const records = await h.store.query<{ status: string; outcome: string; providerJobName: string }>(`batch_jobs/${id}/provider_jobs`);
    expect(records.map((r) => [r.data.status, r.data.outcome])).toEqual([["settled", "cancelled"]]);
    expect((await ai.batches.get(records[0]!.data.providerJobName)).state).toBe("cancelled");
    expect(await jobOf(h, id)).toMatchObject({ status: "cancelled", completedRows: 0, skippedRows: 6 });
    expect(await h.store.count(`batch_jobs/${id}/results`)).toBe(0);
    expect([ai.text, ai.creates]).toEqual([0, 1]);
  });
});

describe("economy batch on the Firebase host, ECONOMY_BATCH_JOBS off", () => {
  it("runs its rows realtime at the standard price, with no provider job", async () => {
    const ai = new Counting();
    const h = new Harness({ ai, economy: { enabled: false }, holdDelayed: true });
    const id = await create(h, TWO_LAYER_FLOW, "economy");
    await runToEnd(h, ai);
    expect(h.errors).toEqual([]);
    const job = await jobOf(h, id);
    expect(job).toMatchObject({ status: "completed", completedRows: 6, mode: "economy" });
    expect([ai.text, ai.creates]).toEqual([12, 0]);
    expect(await h.store.count(`batch_jobs/${id}/provider_jobs`)).toBe(0);
    const results = await resultsOf(h, id);
    const realtime = await realtimeRun(TWO_LAYER_FLOW);
    expect(results).toEqual(realtime.results);
    expect(job.costUsd).toBeCloseTo(realtime.job.costUsd, 9);
  });

  it("turned off while a batch is in its layers: the next poll opens the lanes and the rows run realtime", async () => {
    const ai = new Counting();
    const h = new Harness({ ai, economy: { enabled: true }, holdDelayed: true });
    const id = await create(h, TWO_LAYER_FLOW, "economy");
    await h.drain();
    expect(h.delayed).toHaveLength(1);
    h.redeploy({ enabled: false });
    await runToEnd(h, ai);
    expect(h.errors).toEqual([]);
    const job = await jobOf(h, id);
    expect(job).toMatchObject({ status: "completed", completedRows: 6, failedRows: 0 });
    expect([ai.text, ai.creates]).toEqual([12, 1]);
    // The provider job already submitted is left to the provider (nothing here can cancel it).
    const records = await h.store.query<{ status: string }>(`batch_jobs/${id}/provider_jobs`);
    expect(records.map((r) => r.data.status)).toEqual(["submitted"]);
    const results = await resultsOf(h, id);
    const realtime = await realtimeRun(TWO_LAYER_FLOW);
    expect(results).toEqual(realtime.results);
    expect(job.costUsd).toBeCloseTo(realtime.job.costUsd, 9);
  });
});
