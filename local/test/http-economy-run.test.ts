/**
 * An economy batch on the local host over HTTP: its two text layers run through the offline
 * provider's batch jobs (polled from delayed tasks of the SQLite queue), then its rows; it
 * completes with the same results as the same batch run realtime, at half the cost, with every
 * layer shown done in `job.economy`, and no text call made realtime. A flow with an image step
 * batches the text step above it and runs the image and the text step below it realtime in the
 * row tasks, with the realtime run's results.
 */
import { CountingOffline } from "../../core/test/support/counting-ai";
import { TWO_LAYER_FLOW, csvOf } from "./support/flows";
import { request } from "./support/http-client";
import { startTestServer, type TestServer } from "./support/test-server";

//   topic ──▶ caption (text) ──▶ draw (image) ──▶ alt (text) ──▶ out "alt"
//                     └──▶ out "caption"     └──▶ out "picture"
const WITH_IMAGE = {
  nodes: [
    { id: "topic", type: "input", data: { column: "topic" } },
    { id: "caption", type: "text", data: { model: "gemini-2.5-flash", prompt: "Caption for {{topic}}." } },
    { id: "draw", type: "image", data: { model: "gemini-2.5-flash-image", prompt: "A picture of {{caption}}" } },
    { id: "alt", type: "text", data: { model: "gemini-2.5-flash", prompt: "Alt text for a picture of {{caption}}" } },
    { id: "out_caption", type: "output", data: { name: "caption" } },
    { id: "out_picture", type: "output", data: { name: "picture" } },
    { id: "out_alt", type: "output", data: { name: "alt" } },
  ],
  edges: [
    { source: "topic", target: "caption" },
    { source: "caption", target: "draw" },
    { source: "draw", target: "alt" },
    { source: "caption", target: "out_caption" },
    { source: "draw", target: "out_picture" },
    { source: "alt", target: "out_alt" },
  ],
};

const ai = new CountingOffline({ batchDelayMs: 300 });
let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ ai, economy: { pollIntervalMs: 100, maxPollIntervalMs: 200 } });
});
afterAll(() => srv.close());

const api = (method: string, path: string, body?: unknown) => request(srv.port, method, path, body);
const topics = Array.from({ length: 8 }, (_, i) => `topic number ${i}`);

async function runToEnd(mode: "economy" | "realtime", flow: unknown = TWO_LAYER_FLOW) {
  const created = await api("POST", "/api/batches", { flow, csv: csvOf(topics), mode, concurrency: 3 });
  expect(created.status).toBe(201);
  const id = created.json.job.id as string;
  if (created.json.job.status === "pending") expect((await api("POST", `/api/batches/${id}/run`, {})).status).toBe(200);
  let job: Record<string, unknown> = {};
  for (let i = 0; i < 400; i++) {
    job = (await api("GET", `/api/batches/${id}`)).json.job;
    if (job.status === "completed" || job.status === "failed" || job.status === "cancelled") break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const results = (await api("GET", `/api/batches/${id}/results?limit=100`)).json.results as Array<{ rowIndex: number; status: string; outputs: unknown }>;
  return { id, job, results: results.map((r) => ({ row: r.rowIndex, status: r.status, outputs: r.outputs })) };
}

describe("an economy batch on the local host", () => {
  it("runs its layers through provider batch jobs and ends like the realtime run, at half the price", async () => {
    const economy = await runToEnd("economy");
    const realtimeCalls = ai.text;
    const realtime = await runToEnd("realtime");
    expect(realtimeCalls).toBe(0);
    expect(ai.text).toBe(16);
    expect(economy.job).toMatchObject({ status: "completed", completedRows: 8, failedRows: 0, mode: "economy" });
    expect(economy.results).toEqual(realtime.results);
    expect(economy.job.costUsd as number).toBeCloseTo((realtime.job.costUsd as number) / 2, 9);
    const layers = (economy.job.economy as { layers: Array<{ layer: number; done: boolean; requests: number }> }).layers;
    expect(layers.map((l) => [l.layer, l.done, l.requests])).toEqual([
      [0, true, 8],
      [1, true, 8],
    ]);
    const providerJobs = await srv.host.store.query(`batch_jobs/${economy.id}/provider_jobs`);
    expect(providerJobs).toHaveLength(2);
  });

  it("a flow with an image step: the text step above it is batched, the image and the text step below it run realtime", async () => {
    const before = { text: ai.text, images: ai.images };
    const economy = await runToEnd("economy", WITH_IMAGE);
    const calls = { text: ai.text - before.text, images: ai.images - before.images };
    const realtime = await runToEnd("realtime", WITH_IMAGE);
    // Realtime in the economy run: one image and one `alt` per row; every caption came from the batch job.
    expect(calls).toEqual({ text: 8, images: 8 });
    expect(economy.job).toMatchObject({ status: "completed", completedRows: 8, failedRows: 0, mode: "economy" });
    // Media refs name the job; everything else is the realtime run's.
    const comparable = (rows: typeof economy.results) =>
      rows.map((r) => {
        const { ref, ...picture } = (r.outputs as { picture: { ref: string } }).picture;
        expect(ref).toMatch(/\/draw\.png$/);
        return { ...r, outputs: { ...(r.outputs as object), picture } };
      });
    expect(comparable(economy.results)).toEqual(comparable(realtime.results));
    const layers = (economy.job.economy as { layers: Array<{ layer: number; done: boolean; requests: number }>; realtimeCostUsd: number }).layers;
    expect(layers.map((l) => [l.layer, l.done, l.requests])).toEqual([[0, true, 8]]);
    // The price: the realtime run's less half of the batched captions (`realtimeCostUsd` is theirs at the standard price).
    const captions = (economy.job.economy as { realtimeCostUsd: number }).realtimeCostUsd;
    expect(captions).toBeGreaterThan(0);
    expect(economy.job.costUsd as number).toBeCloseTo((realtime.job.costUsd as number) - captions / 2, 9);
  });
});
