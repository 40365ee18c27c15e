/**
 * The provider batch-job port (batch-port.ts): one conformance suite over the adapters — Gemini
 * through the real @google/genai SDK against the fake Batch API (inline requests, and the JSONL
 * file route with an inline limit so small that every job takes it), and the offline simulation
 * on a manual clock — plus what only one of them does (the wire format; the offline timeline and
 * restart behaviour).
 */
import "./support/jest-undici-shim";
import { PermanentError, RetryableError } from "../src/errors";
import { type BatchItem, type ProviderBatchJobs, type ProviderJob, isProviderJobTerminal } from "../src/ai/batch-port";
import { GoogleGenAI } from "@google/genai";
import { GeminiAiService } from "../src/ai/gemini";
import { GeminiBatchJobs } from "../src/ai/gemini-batches";
import { OfflineAiService } from "../src/ai/offline";
import { ManualClock } from "../src/testing/manual-clock";
import { useFakeGeminiServer } from "./support/use-fake-gemini-server";
import { FakeBatchApi, type ItemAnswer, type WireBatchRequest, echoAnswer, promptOf } from "./support/fake-batch-api";

const KEY = "AIzaSyFAKE-batchjobs-key-000000000000";
const MODEL = "gemini-2.5-flash";
const fake = useFakeGeminiServer();

/** Per-item failures the fake Batch API answers like Gemini: `[[fail]]` → INVALID_ARGUMENT. */
function geminiAnswer(r: WireBatchRequest): ItemAnswer {
  const prompt = promptOf(r);
  if (prompt.includes("[[fail]]")) return { error: { code: 3, message: "Request contains an invalid argument." } };
  if (prompt.includes("[[busy]]")) return { error: { code: 8, message: "Resource has been exhausted." } };
  if (prompt.includes("[[safety]]")) return { response: { candidates: [{ finishReason: "SAFETY", content: { parts: [] } }] } };
  if (prompt.includes("[[json]]")) return { response: { candidates: [{ content: { parts: [{ text: '{"n":1}' }] } }] } };
  return echoAnswer(r);
}

interface Adapter {
  jobs: ProviderBatchJobs;
  /** Lets time pass between polls. */
  tick(): Promise<void>;
  expectedText(prompt: string): Promise<string>;
}

function gemini(): Adapter {
  new FakeBatchApi({ pollsToFinish: 2, answer: geminiAnswer }).install(fake());
  const service = new GeminiAiService({ apiKey: KEY, baseUrl: fake().baseUrl });
  return { jobs: service.batches!, tick: () => Promise.resolve(), expectedText: (p) => Promise.resolve(`echo: ${p}`) };
}

/** Every job over a 1-byte inline limit: all go through an uploaded JSONL file (the fake refuses inline ones). */
function geminiFiles(): Adapter {
  new FakeBatchApi({ pollsToFinish: 2, answer: geminiAnswer, inlineLimitBytes: 1 }).install(fake());
  const ai = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: fake().baseUrl } });
  const jobs = new GeminiBatchJobs({ ai, apiKey: KEY, baseUrl: fake().baseUrl, inlineLimitBytes: 1 });
  return { jobs, tick: () => Promise.resolve(), expectedText: (p) => Promise.resolve(`echo: ${p}`) };
}

function offline(): Adapter {
  const clock = new ManualClock(1_000_000);
  const service = new OfflineAiService({ clock, batchDelayMs: 1_000 });
  return {
    jobs: service.batches,
    tick: () => clock.advance(600),
    expectedText: async (p) => (await service.generateText({ model: MODEL, prompt: p })).text,
  };
}

function items(...prompts: string[]): BatchItem[] {
  return prompts.map((prompt, i) => ({ key: `job1/p0/r${i}/summary`, request: { model: MODEL, prompt } }));
}

async function pollToEnd(a: Adapter, job: ProviderJob): Promise<ProviderJob> {
  let current = job;
  for (let i = 0; i < 10 && !isProviderJobTerminal(current.state); i++) {
    await a.tick();
    current = await a.jobs.get(job.name);
  }
  return current;
}

describe.each([
  ["gemini", gemini],
  ["gemini (input file)", geminiFiles],
  ["offline", offline],
] as const)("ProviderBatchJobs conformance: %s", (_name, make) => {
  it("creates a pending job, polls it to succeeded and reads answers in item order", async () => {
    const a = make();
    const batch = items("first row", "second row", "third row");
    const created = await a.jobs.create({ model: MODEL, displayName: "fc-job1-p0-L0-gemini-2.5-flash", items: batch });
    expect(created.state).toBe("pending");
    expect(created.name).toMatch(/^batches\//);
    const done = await pollToEnd(a, created);
    expect(done.state).toBe("succeeded");
    const outcomes = await a.jobs.results(created.name, batch);
    expect(outcomes.map((o) => o.key)).toEqual(batch.map((b) => b.key));
    const texts = outcomes.map((o) => (o.ok ? o.result.text : o.error.code));
    expect(texts).toEqual(await Promise.all(batch.map((b) => a.expectedText(b.request.prompt))));
    expect(outcomes.every((o) => o.ok && o.result.usage.totalTokens > 0)).toBe(true);
  });

  it("fails only the item whose request fails, classified like a realtime error", async () => {
    const a = make();
    const batch = items("fine", "broken [[fail]]");
    const created = await a.jobs.create({ model: MODEL, displayName: "fc-per-item", items: batch });
    await pollToEnd(a, created);
    const [ok, failed] = await a.jobs.results(created.name, batch);
    expect(ok!.ok).toBe(true);
    expect(failed!.ok).toBe(false);
    if (failed!.ok) return;
    expect(failed!.error).toBeInstanceOf(PermanentError);
    expect(failed!.error.code).toBe("bad_request");
  });

  it("finds a job again by its display name (orphan recovery) and only that one", async () => {
    const a = make();
    const mine = await a.jobs.create({ model: MODEL, displayName: "fc-job9-p0-L1", items: items("a") });
    await a.jobs.create({ model: MODEL, displayName: "fc-job9-p0-L2", items: items("b") });
    const found = await a.jobs.findByDisplayName("fc-job9-p0-L1");
    expect(found.map((j) => j.name)).toEqual([mine.name]);
    expect(await a.jobs.findByDisplayName("fc-nothing")).toEqual([]);
  });

  it("cancels a job that is still running; results are then refused", async () => {
    const a = make();
    const batch = items("a");
    const created = await a.jobs.create({ model: MODEL, displayName: "fc-cancel", items: batch });
    await a.jobs.cancel(created.name);
    expect((await a.jobs.get(created.name)).state).toBe("cancelled");
    await expect(a.jobs.results(created.name, batch)).rejects.toMatchObject({ code: "failed_precondition" });
  });
});

describe("Gemini batch jobs on the wire", () => {
  it("sends each item's config and key as metadata; per-item rpc errors and safety map like realtime", async () => {
    const a = gemini();
    const batch: BatchItem[] = [
      { key: "k-json", request: { model: MODEL, prompt: "[[json]]", system: "Be terse.", temperature: 0.1, jsonSchema: { type: "object" } } },
      { key: "k-busy", request: { model: MODEL, prompt: "[[busy]]" } },
      { key: "k-safety", request: { model: MODEL, prompt: "[[safety]]" } },
    ];
    const created = await a.jobs.create({ model: MODEL, displayName: "fc-wire", items: batch });
    const sent = (fake().requestsTo(":batchGenerateContent")[0]!.body as { batch: { inputConfig: { requests: { requests: WireBatchRequest[] } } } }).batch
      .inputConfig.requests.requests;
    expect(sent.map((r) => r.metadata)).toEqual([{ flowcraftKey: "k-json" }, { flowcraftKey: "k-busy" }, { flowcraftKey: "k-safety" }]);
    expect(sent[0]!.request.systemInstruction).toEqual({ parts: [{ text: "Be terse." }], role: "user" });
    expect(sent[0]!.request.generationConfig).toMatchObject({ temperature: 0.1, responseMimeType: "application/json", responseJsonSchema: { type: "object" } });
    await pollToEnd(a, created);
    const [json, busy, safety] = await a.jobs.results(created.name, batch);
    expect(json).toMatchObject({ ok: true, result: { json: { n: 1 } } });
    expect(busy!.ok || busy!.error).toBeInstanceOf(RetryableError);
    expect(busy!.ok || busy!.error.code).toBe("rate_limited");
    expect(safety!.ok || safety!.error.code).toBe("safety_blocked");
  });

  it("reports expired and failed jobs; an unknown job is a permanent not-found", async () => {
    const api = new FakeBatchApi({ pollsToFinish: 99 }).install(fake());
    const jobs = new GeminiAiService({ apiKey: KEY, baseUrl: fake().baseUrl }).batches!;
    const x = await jobs.create({ model: MODEL, displayName: "x", items: items("a") });
    const y = await jobs.create({ model: MODEL, displayName: "y", items: items("b") });
    api.expire(x.name);
    api.fail(y.name);
    expect((await jobs.get(x.name)).state).toBe("expired");
    expect((await jobs.get(y.name)).state).toBe("failed");
    const err = await jobs.get("batches/missing").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "not_found", retryable: false });
    expect(String((err as Error).message)).not.toContain(KEY);
  });
});

describe("offline batch jobs", () => {
  it("is pending, then running, then succeeded by the clock; [[batch-expired]] ends expired", async () => {
    const clock = new ManualClock(5_000);
    const jobs = new OfflineAiService({ clock, batchDelayMs: 1_000 }).batches;
    const ok = await jobs.create({ model: MODEL, displayName: "ok", items: items("a") });
    const late = await jobs.create({ model: MODEL, displayName: "late", items: items("b [[batch-expired]]") });
    const states = async () => [(await jobs.get(ok.name)).state, (await jobs.get(late.name)).state];
    expect(await states()).toEqual(["pending", "pending"]);
    await clock.advance(500);
    expect(await states()).toEqual(["running", "running"]);
    await clock.advance(500);
    expect(await states()).toEqual(["succeeded", "expired"]);
  });

  it("reads a job and its results after a restart (a new provider instance) by its name alone", async () => {
    const clock = new ManualClock(5_000);
    const batch = items("survives a restart");
    const created = await new OfflineAiService({ clock, batchDelayMs: 1_000 }).batches.create({ model: MODEL, displayName: "r", items: batch });
    await clock.advance(1_000);
    const restarted = new OfflineAiService({ clock, batchDelayMs: 1_000 });
    expect((await restarted.batches.get(created.name)).state).toBe("succeeded");
    const [outcome] = await restarted.batches.results(created.name, batch);
    expect(outcome).toMatchObject({ ok: true, result: { text: (await restarted.generateText(batch[0]!.request)).text } });
  });
});
