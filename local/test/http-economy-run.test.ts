/**
 * An economy batch on the local host over HTTP: its two text layers run through the offline
 * provider's batch jobs (polled from delayed tasks of the SQLite queue), then its rows; it
 * completes with the same results as the same batch run realtime, at half the cost, with every
 * layer shown done in `job.economy`, and no text call made realtime.
 */
import { OfflineAiService, type AiService, type TextRequest, type TextResult } from "@flowcraft/core";
import { csvOf } from "./support/flows";
import { request } from "./support/http-client";
import { startTestServer, type TestServer } from "./support/test-server";

// topic ──▶ write (text) ──▶ shorten (text) ──▶ out "line"
const TWO_LAYERS = {
  nodes: [
    { id: "topic", type: "input", data: { column: "topic" } },
    { id: "write", type: "text", data: { model: "gemini-2.5-flash", prompt: "Write one line about {{topic}}." } },
    { id: "shorten", type: "text", data: { model: "gemini-2.5-flash", prompt: "Shorten: {{write}}" } },
    { id: "out", type: "output", data: { name: "line" } },
  ],
  edges: [
    { source: "topic", target: "write" },
    { source: "write", target: "shorten" },
    { source: "shorten", target: "out" },
  ],
};

/** The offline provider, counting the realtime text calls (its batch jobs answer without them). */
class Counting implements AiService {
  readonly name = "offline";
  text = 0;
  private readonly inner = new OfflineAiService({ latencyMs: 0, batchDelayMs: 300 });
  readonly batches = this.inner.batches;
  generateText(req: TextRequest): Promise<TextResult> {
    this.text += 1;
    return this.inner.generateText(req);
  }
  generateImage = (req: Parameters<AiService["generateImage"]>[0]) => this.inner.generateImage(req);
  generateVideo = (req: Parameters<AiService["generateVideo"]>[0]) => this.inner.generateVideo(req);
}

const ai = new Counting();
let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ ai, economy: { pollIntervalMs: 100, maxPollIntervalMs: 200 } });
});
afterAll(() => srv.close());

const api = (method: string, path: string, body?: unknown) => request(srv.port, method, path, body);
const topics = Array.from({ length: 8 }, (_, i) => `topic number ${i}`);

async function runToEnd(mode: "economy" | "realtime") {
  const created = await api("POST", "/api/batches", { flow: TWO_LAYERS, csv: csvOf(topics), mode, concurrency: 3 });
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
});
