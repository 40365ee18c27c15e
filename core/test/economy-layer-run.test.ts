/**
 * `runTextLayers`: a text flow over many rows, layer by layer through provider batch jobs. Its
 * outputs equal what the realtime engine produces for the same rows; no text call goes realtime
 * unless a job falls back; per-item errors fail the node and skip what depends on it; running it
 * again after a crash makes no new provider job.
 */
import "./support/jest-undici-shim";
import type { ProviderBatchJobs } from "../src/ai/batch-port";
import { GeminiAiService } from "../src/ai/gemini";
import { OfflineAiService } from "../src/ai/offline";
import type { AiService } from "../src/ai/port";
import { economyRowCost } from "../src/economy/economy-cost";
import { type LayerRunReport, runTextLayers } from "../src/economy/layer-run";
import { ServerWorkflowEngine } from "../src/engine/server-workflow-engine";
import type { NodeOutput } from "../src/engine/types";
import { ManualClock } from "../src/testing/manual-clock";
import { MemoryStore } from "../src/testing/memory-store";
import { parseFlow } from "../src/flow/parse";
import type { ValidFlow } from "../src/flow/valid-flow";
import { systemClock } from "../src/system-clock";
import { useFakeGeminiServer } from "./support/use-fake-gemini-server";
import { FakeBatchApi, type WireBatchRequest, echoAnswer } from "./support/fake-batch-api";

const KEY = "AIzaSyFAKE-layers-key-00000000000000";
const fake = useFakeGeminiServer();

const text = (id: string, prompt: string) => ({ id, type: "text", data: { model: "gemini-2.5-flash", prompt } });
const out = (id: string, name: string) => ({ id, type: "output", data: { name } });

// title(input) ─→ A(text) ─→ B(text) ─→ outB
function twoLayers(): ValidFlow {
  return parseFlow({
    nodes: [
      { id: "title", type: "input", data: { column: "title" } },
      text("A", "Summarise {{title}}"),
      text("B", "Headline for: {{A}}"),
      out("outB", "headline"),
    ],
    edges: [
      { source: "title", target: "A" },
      { source: "A", target: "B" },
      { source: "B", target: "outB" },
    ],
  });
}

// title(input) ─→ A(text) ─→ B(text) ─→ C(text) ─→ outC
function threeLayers(): ValidFlow {
  return parseFlow({
    nodes: [
      { id: "title", type: "input", data: { column: "title" } },
      text("A", "One {{title}}"),
      text("B", "Two {{A}}"),
      text("C", "Three {{B}}"),
      out("outC", "final"),
    ],
    edges: [
      { source: "title", target: "A" },
      { source: "A", target: "B" },
      { source: "B", target: "C" },
      { source: "C", target: "outC" },
    ],
  });
}

function rows(n: number, cell = (i: number) => `Row number ${i}`) {
  return Array.from({ length: n }, (_, i) => ({ rowId: `r${i}`, values: { title: cell(i) } }));
}

async function realtimeOutputs(ai: AiService, flow: ValidFlow, input: ReturnType<typeof rows>, nodeId: string): Promise<Array<string | undefined>> {
  const engine = new ServerWorkflowEngine({ ai, nodeRetry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
  const runs = await Promise.all(input.map((r) => engine.execute({ flow, row: r.values })));
  return runs.map((run) => textOf(run.nodeOutputs[nodeId]));
}

function economyOutputs(report: LayerRunReport, nodeId: string): Array<string | undefined> {
  return [...report.rows.values()].map((run) => textOf(run.nodeOutputs.get(nodeId)));
}

function textOf(o: NodeOutput | undefined): string | undefined {
  return o && (o.kind === "text" || o.kind === "json") ? o.text : undefined;
}

/** Answers realtime generateContent like the fake Batch API answers an item: an echo of the prompt. */
function echoRealtime(): void {
  fake().script(":generateContent", (r) => {
    const body = r.body as WireBatchRequest["request"];
    return { json: (echoAnswer({ request: body }) as { response: Record<string, unknown> }).response };
  });
}

describe("runTextLayers with the Gemini Batch API (real SDK, fake server)", () => {
  it("runs a 40-row, 2-layer flow only through batch jobs, with realtime's outputs", async () => {
    const api = new FakeBatchApi({ pollsToFinish: 2 }).install(fake());
    echoRealtime();
    const gemini = new GeminiAiService({ apiKey: KEY, baseUrl: fake().baseUrl });
    const flow = twoLayers();
    const report = await runTextLayers(
      { store: new MemoryStore(), batches: gemini.batches!, ai: gemini, clock: systemClock },
      { jobId: "job1", pass: 0, flow, rows: rows(40), pollIntervalMs: 1 },
    );
    expect(fake().requestsTo(":generateContent")).toHaveLength(0);
    expect(api.jobs.size).toBe(2);
    expect([...api.jobs.values()].map((j) => j.requests.length)).toEqual([40, 40]);
    expect(report).toMatchObject({ providerJobs: 2, batchItems: 80, fallbackItems: 0 });
    const expected = await realtimeOutputs(gemini, flow, rows(40), "B");
    expect(economyOutputs(report, "B")).toEqual(expected);
    expect(expected[7]).toBe("echo: Headline for: echo: Summarise Row number 7");
  });

  it("after a crash while polling, a rerun adopts the provider jobs instead of creating them again", async () => {
    const api = new FakeBatchApi({ pollsToFinish: 3 }).install(fake());
    const gemini = new GeminiAiService({ apiKey: KEY, baseUrl: fake().baseUrl });
    const store = new MemoryStore();
    let polls = 0;
    const crashing: ProviderBatchJobs = Object.create(gemini.batches!, {
      get: { value: (name: string) => (++polls === 2 ? Promise.reject(new Error("process killed")) : gemini.batches!.get(name)) },
    });
    const input = { jobId: "job1", pass: 0, flow: twoLayers(), rows: rows(5), pollIntervalMs: 1 };
    await expect(runTextLayers({ store, batches: crashing, ai: gemini, clock: systemClock }, input)).rejects.toThrow("process killed");
    expect(api.jobs.size).toBe(1);
    const report = await runTextLayers({ store, batches: gemini.batches!, ai: gemini, clock: systemClock }, input);
    expect(api.jobs.size).toBe(2);
    expect(economyOutputs(report, "B").every((t) => t?.startsWith("echo: Headline"))).toBe(true);
  });
});

describe("runTextLayers with the offline simulation", () => {
  async function run(flow: ValidFlow, input: ReturnType<typeof rows>, fallback?: boolean) {
    const clock = new ManualClock(0);
    const offline = new OfflineAiService({ clock, batchDelayMs: 60_000 });
    const done = runTextLayers(
      { store: new MemoryStore(), batches: offline.batches, ai: offline, clock },
      { jobId: "j", pass: 0, flow, rows: input, pollIntervalMs: 10_000, maxPollIntervalMs: 20_000, ...(fallback !== undefined ? { fallback } : {}) },
    );
    await clock.runUntilIdle();
    return { report: await done, offline };
  }

  it("runs three layers one after another: outputs equal realtime's, one provider job per layer", async () => {
    const flow = threeLayers();
    const { report, offline } = await run(flow, rows(12));
    expect(report.providerJobs).toBe(3);
    expect(report.layers.map((l) => l.requests)).toEqual([12, 12, 12]);
    const cost = economyRowCost(flow, report.rows.get("r0")!);
    expect(cost.costUsd).toBeCloseTo(cost.realtimeCostUsd * 0.5, 9);
    for (const [a, b] of report.layers.slice(0, -1).map((l, i) => [l, report.layers[i + 1]!] as const))
      expect(b.submittedAt).toBeGreaterThanOrEqual(a.settledAt);
    expect(economyOutputs(report, "C")).toEqual(await realtimeOutputs(offline, flow, rows(12), "C"));
  });

  it("a per-item error fails that row's node and skips the nodes below it; other rows go on", async () => {
    const { report } = await run(
      threeLayers(),
      rows(3, (i) => (i === 1 ? "broken [[fail]]" : `ok ${i}`)),
    );
    const broken = report.rows.get("r1")!;
    expect(broken.errors.get("A")).toMatchObject({ code: "bad_request" });
    expect(broken.errors.get("B")).toMatchObject({ code: "upstream_failed" });
    expect(broken.errors.get("C")).toMatchObject({ code: "upstream_failed" });
    expect(report.layers.map((l) => l.requests)).toEqual([3, 2, 2]);
    expect(report.rows.get("r2")!.nodeOutputs.has("C")).toBe(true);
  });

  it("an expired job falls back to realtime (same outputs), or fails its items when fallback is off", async () => {
    const flow = threeLayers();
    const input = rows(4, (i) => (i === 0 ? "late [[batch-expired]]" : `fine ${i}`));
    const { report, offline } = await run(flow, input);
    // The offline answer quotes its prompt, so the marker reaches every layer: all three expire.
    expect(report.fallbackItems).toBe(12);
    const cost = economyRowCost(flow, report.rows.get("r1")!);
    expect(cost.realtimeCostUsd).toBeGreaterThan(0);
    expect(cost.costUsd).toBe(cost.realtimeCostUsd); // fallback calls pay the standard price
    expect(economyOutputs(report, "C")).toEqual(await realtimeOutputs(offline, flow, input, "C"));
    const off = await run(flow, input, false);
    expect(off.report.rows.get("r2")!.errors.get("A")).toMatchObject({ code: "timeout", retryable: false });
  });
});
