/**
 * The economy mode's layer plan and the durable provider-job records: layers of a flow, grouping
 * per model and layer under the inline limit and the record's key limit, submit idempotency (intent first, orphan found by
 * display name after a crash), polling decisions (wait, results, fallback, fail, deadline) and
 * cancel. Provider: the real @google/genai SDK against the fake Batch API.
 */
import "./support/jest-undici-shim";
import { MAX_JOB_ITEM_KEY_BYTES, type ProviderBatchJobs } from "../src/ai/batch-port";
import { GeminiAiService } from "../src/ai/gemini";
import { groupRequests, parseItemKey, type PendingTextRequest, textLayers } from "../src/economy/layer-plan";
import { ProviderJobRecord, providerJobPath, providerJobsCollection } from "../src/economy/provider-job-record";
import { readLayerProgress } from "../src/economy/layer-progress";
import {
  cancelProviderJob,
  cancelProviderJobs,
  pollProviderJob,
  type ProviderJobDeps,
  recordProviderJobIntent,
  settleProviderJob,
  SUBMIT_LEASE_MS,
  SubmitLeaseHeldError,
  submitProviderJob,
} from "../src/economy/provider-jobs";
import { ManualClock } from "../src/testing/manual-clock";
import { MemoryStore } from "../src/testing/memory-store";
import type { Flow } from "../src/flow/schema";
import { useFakeGeminiServer } from "./support/use-fake-gemini-server";
import { FakeBatchApi } from "./support/fake-batch-api";

const KEY = "AIzaSyFAKE-economy-key-0000000000000";
const fake = useFakeGeminiServer();

const node = (id: string, type: string, data: Record<string, unknown> = {}) => ({ id, type, data: { model: "gemini-2.5-flash", prompt: `p ${id}`, ...data } });

//   title(input) ─→ A(text) ─→ img(image) ─→ B(text) ─┐
//        └────────→ C(text) ───────────────────────────┴─→ D(text) ─→ out(output)
const FLOW = {
  nodes: [
    node("title", "input", { column: "title" }),
    node("A", "text"),
    node("img", "image"),
    node("B", "text"),
    node("C", "text"),
    node("D", "text"),
    node("out", "output", { name: "out" }),
  ],
  edges: [
    { source: "title", target: "A" },
    { source: "A", target: "img" },
    { source: "img", target: "B" },
    { source: "title", target: "C" },
    { source: "B", target: "D" },
    { source: "C", target: "D" },
    { source: "D", target: "out" },
  ],
} as unknown as Flow;

function requests(rows: number, nodeId: string, model = "gemini-2.5-flash"): PendingTextRequest[] {
  return Array.from({ length: rows }, (_, i) => ({
    rowId: `r${i}`,
    node: { id: nodeId, data: { model, prompt: "x" } },
    prompt: `row ${i} ${"y".repeat(100)}`,
  }));
}

interface World {
  deps: ProviderJobDeps;
  api: FakeBatchApi;
  clock: ManualClock;
}

function world(pollsToFinish = 2): World {
  const api = new FakeBatchApi({ pollsToFinish }).install(fake());
  const clock = new ManualClock(1_000);
  const jobs = new GeminiAiService({ apiKey: KEY, baseUrl: fake().baseUrl }).batches!;
  return { deps: { store: new MemoryStore(), jobs, clock }, api, clock };
}

async function record(w: World, displayName: string): Promise<ProviderJobRecord> {
  return ProviderJobRecord.parse((await w.deps.store.get(providerJobPath("job1", displayName)))?.data);
}

describe("layer plan", () => {
  it("layers text nodes by the text nodes above them; text nodes below an image node are in no layer (they run realtime)", () => {
    expect(textLayers(FLOW)).toEqual([{ layer: 0, nodeIds: ["A", "C"] }]);
    //   title ─→ A ─→ B ─→ D,  title ─→ C ─→ D: layers by the longest text path above
    const textOnly = {
      nodes: FLOW.nodes.filter((n) => n.id !== "img"),
      edges: [...FLOW.edges.filter((e) => e.source !== "img" && e.target !== "img"), { source: "A", target: "B" }],
    };
    expect(textLayers(textOnly)).toEqual([
      { layer: 0, nodeIds: ["A", "C"] },
      { layer: 1, nodeIds: ["B"] },
      { layer: 2, nodeIds: ["D"] },
    ]);
  });

  it("splits a group whose item keys would not fit one record document", async () => {
    // 100,000 rows of one short prompt: well under the inline request limit, but about 1.2 MB of keys.
    const reqs = Array.from({ length: 100_000 }, (_, i) => ({
      rowId: String(i),
      node: { id: "write", data: { model: "gemini-2.5-flash", prompt: "x" } },
      prompt: `t ${i}`,
    }));
    const groups = groupRequests(reqs, { jobId: "QSGRN0ZS4A69AnezPx4W", pass: 0, layer: 0 });
    expect(groups.length).toBeGreaterThan(1);
    expect(groups.reduce((n, g) => n + g.items.length, 0)).toBe(100_000);
    for (const g of groups) expect(g.items.reduce((n, i) => n + Buffer.byteLength(i.key) + 3, 0)).toBeLessThanOrEqual(MAX_JOB_ITEM_KEY_BYTES);
    // Each group's intent is one document the store takes (MemoryStore enforces the 1 MiB limit).
    const store = new MemoryStore();
    const clock = new ManualClock(1_000);
    for (const g of groups) await recordProviderJobIntent({ store, clock }, { jobId: "QSGRN0ZS4A69AnezPx4W", pass: 0, group: g });
    expect(await store.count(providerJobsCollection("QSGRN0ZS4A69AnezPx4W"))).toBe(groups.length);
    // Without the key limit it would be one group, too big for its record.
    const one = groupRequests(reqs, { jobId: "QSGRN0ZS4A69AnezPx4W", pass: 0, layer: 0, maxKeyBytes: Number.MAX_SAFE_INTEGER });
    expect(one).toHaveLength(1);
    await expect(
      recordProviderJobIntent({ store, clock }, { jobId: "QSGRN0ZS4A69AnezPx4W", pass: 0, group: { ...one[0]!, displayName: "too-big" } }),
    ).rejects.toThrow();
  });

  it("groups per model, splits a model's requests under the byte limit, with unique display names", () => {
    const reqs = [...requests(5, "A"), ...requests(2, "C", "gemini-2.5-pro")];
    const groups = groupRequests(reqs, { jobId: "job1", pass: 0, layer: 0, maxBytes: 500 });
    expect(groups.map((g) => [g.model, g.items.length])).toEqual([
      ["gemini-2.5-flash", 2],
      ["gemini-2.5-flash", 2],
      ["gemini-2.5-flash", 1],
      ["gemini-2.5-pro", 2],
    ]);
    expect(new Set(groups.map((g) => g.displayName)).size).toBe(4);
    expect(groups[0]!.displayName).toBe("fc-job1-p0-L0-gemini-2.5-flash-c0");
    expect(groups.flatMap((g) => g.items.map((i) => parseItemKey(i.key)))).toContainEqual({ rowId: "r4", nodeId: "A" });
    expect(groupRequests(reqs, { jobId: "job1", pass: 0, layer: 0, maxBytes: 500 })).toEqual(groups);
  });
});

describe("provider-job records", () => {
  const group = () => groupRequests(requests(3, "A"), { jobId: "job1", pass: 0, layer: 0 })[0]!;

  it("records the intent, creates one provider job, and a repeated submit creates none", async () => {
    const w = world();
    const g = group();
    const first = await submitProviderJob(w.deps, { jobId: "job1", pass: 0, group: g });
    const again = await submitProviderJob(w.deps, { jobId: "job1", pass: 0, group: g });
    expect(first).toMatchObject({ status: "submitted", providerJobName: "batches/fake-1", requestCount: 3, deadlineAt: 1_000 + 24 * 3_600_000 });
    expect(again.providerJobName).toBe("batches/fake-1");
    expect(w.api.jobs.size).toBe(1);
  });

  it("after a crash between the provider's create and storing its name, adopts the orphan", async () => {
    const w = world();
    const g = group();
    const crashing: ProviderBatchJobs = Object.create(w.deps.jobs, {
      create: {
        value: async (...args: Parameters<ProviderBatchJobs["create"]>) => {
          await w.deps.jobs.create(...args);
          throw new Error("process killed");
        },
      },
    });
    await expect(submitProviderJob({ ...w.deps, jobs: crashing }, { jobId: "job1", pass: 0, group: g })).rejects.toThrow("process killed");
    expect((await record(w, g.displayName)).status).toBe("intent");
    const adopted = await submitProviderJob(w.deps, { jobId: "job1", pass: 0, group: g });
    expect(adopted).toMatchObject({ status: "submitted", providerJobName: "batches/fake-1" });
    expect(w.api.jobs.size).toBe(1);
  });

  it("a crashed submitter's live lease blocks another submitter, unless it is from before staleLeasesBefore: then the orphan is adopted", async () => {
    const w = world();
    const g = group();
    await recordProviderJobIntent(w.deps, { jobId: "job1", pass: 0, group: g });
    // A submitter took the lease at t=1000, the provider created the job, and the process died.
    await w.deps.store.update(providerJobPath("job1", g.displayName), { submitLeaseUntil: 1_000 + SUBMIT_LEASE_MS });
    await w.deps.jobs.create({ model: g.model, displayName: g.displayName, items: g.items });
    await w.clock.advance(5_000);
    await expect(submitProviderJob(w.deps, { jobId: "job1", pass: 0, group: g })).rejects.toBeInstanceOf(SubmitLeaseHeldError);
    // A lease taken after the host started is still live.
    await expect(submitProviderJob({ ...w.deps, staleLeasesBefore: 500 }, { jobId: "job1", pass: 0, group: g })).rejects.toBeInstanceOf(SubmitLeaseHeldError);
    const adopted = await submitProviderJob({ ...w.deps, staleLeasesBefore: 6_000 }, { jobId: "job1", pass: 0, group: g });
    expect(adopted).toMatchObject({ status: "submitted", providerJobName: "batches/fake-1" });
    expect(w.api.jobs.size).toBe(1);
  });

  it("polls: waits with a growing delay while running, then returns the answers by item", async () => {
    const w = world(3);
    const g = group();
    await submitProviderJob(w.deps, { jobId: "job1", pass: 0, group: g });
    const poll = () => pollProviderJob(w.deps, { jobId: "job1", displayName: g.displayName, items: g.items, pollIntervalMs: 1_000 });
    expect(await poll()).toEqual({ kind: "wait", afterMs: 1_000, state: "running" });
    expect(await poll()).toEqual({ kind: "wait", afterMs: 2_000, state: "running" });
    const done = await poll();
    expect(done.kind).toBe("results");
    if (done.kind !== "results") return;
    expect(done.outcomes.map((o) => [o.key, o.ok && o.result.text])).toEqual(g.items.map((i) => [i.key, `echo: ${i.request.prompt}`]));
    await settleProviderJob(w.deps, { jobId: "job1", displayName: g.displayName, outcome: "results" });
    expect(await poll()).toEqual({ kind: "nothing" });
  });

  it("an expired job falls back to realtime, or fails its items clearly when fallback is off", async () => {
    const w = world(99);
    const g = group();
    const rec = await submitProviderJob(w.deps, { jobId: "job1", pass: 0, group: g });
    w.api.expire(rec.providerJobName!);
    const input = { jobId: "job1", displayName: g.displayName, items: g.items };
    expect(await pollProviderJob(w.deps, input)).toEqual({ kind: "fallback", itemKeys: g.items.map((i) => i.key), reason: "expired" });
    const off = await pollProviderJob(w.deps, { ...input, fallback: false });
    expect(off).toMatchObject({ kind: "failed", error: { code: "timeout", retryable: false } });
  });

  it("past the deadline cancels the provider job and falls back, also on a repeated poll", async () => {
    const w = world(99);
    const g = group();
    const rec = await submitProviderJob(w.deps, { jobId: "job1", pass: 0, group: g, deadlineMs: 60_000 });
    const input = { jobId: "job1", displayName: g.displayName, items: g.items };
    expect((await pollProviderJob(w.deps, input)).kind).toBe("wait");
    await w.clock.advance(60_000);
    expect(await pollProviderJob(w.deps, input)).toMatchObject({ kind: "fallback", reason: "deadline" });
    expect(w.api.job(rec.providerJobName!).state).toBe("CANCELLED");
    expect(await pollProviderJob(w.deps, input)).toMatchObject({ kind: "fallback", reason: "deadline" });
  });

  it("cancel stops submitted provider jobs and settles intents, which then create nothing", async () => {
    const w = world(99);
    const [g1, g2] = groupRequests(requests(4, "A"), { jobId: "job1", pass: 0, layer: 0, maxBytes: 400 });
    const rec = await submitProviderJob(w.deps, { jobId: "job1", pass: 0, group: g1! });
    await w.deps.store.create(providerJobPath("job1", g2!.displayName), {
      ...rec,
      displayName: g2!.displayName,
      status: "intent",
      providerJobName: null,
      state: null,
    });
    expect(await cancelProviderJobs(w.deps, "job1")).toBe(1);
    expect(w.api.job(rec.providerJobName!).state).toBe("CANCELLED");
    expect((await record(w, g2!.displayName)).outcome).toBe("cancelled");
    await submitProviderJob(w.deps, { jobId: "job1", pass: 0, group: g2! });
    expect(w.api.jobs.size).toBe(1);
  });

  it("a cancel and a poll that sees it, at once, call the provider's cancel once; a failed call hands the record back", async () => {
    const w = world(99);
    const g = group();
    const rec = await submitProviderJob(w.deps, { jobId: "job1", pass: 0, group: g });
    const path = providerJobPath("job1", g.displayName);
    let calls = 0;
    let fail = true;
    const counting: ProviderBatchJobs = Object.create(w.deps.jobs, {
      cancel: {
        value: async (name: string) => {
          calls += 1;
          if (fail) throw new Error("provider down");
          await new Promise((r) => setTimeout(r, 20));
          return w.deps.jobs.cancel(name);
        },
      },
    });
    const deps = { ...w.deps, jobs: counting };
    await expect(cancelProviderJob(deps, path)).rejects.toThrow("provider down");
    expect((await record(w, g.displayName)).status).toBe("submitted");
    fail = false;
    const both = await Promise.all([cancelProviderJob(deps, path), cancelProviderJob(deps, path)]);
    expect(both.sort()).toEqual(["cancelled", "held"]);
    expect(calls).toBe(2);
    expect(w.api.job(rec.providerJobName!).state).toBe("CANCELLED");
    expect(await record(w, g.displayName)).toMatchObject({ status: "settled", outcome: "cancelled", cancelledBy: "user" });
    expect(await cancelProviderJob(deps, path)).toBe("settled");
    expect(calls).toBe(2);
  });

  it("shows per layer the provider states, request count and how long it has waited", async () => {
    const w = world(99);
    const [g0a, g0b] = groupRequests(requests(4, "A"), { jobId: "job1", pass: 0, layer: 0, maxBytes: 400 });
    const [g1] = groupRequests(requests(3, "B"), { jobId: "job1", pass: 0, layer: 1 });
    await submitProviderJob(w.deps, { jobId: "job1", pass: 0, group: g0a! });
    await submitProviderJob(w.deps, { jobId: "job1", pass: 0, group: g0b! });
    await w.clock.advance(5_000);
    await pollProviderJob(w.deps, { jobId: "job1", displayName: g0a!.displayName, items: g0a!.items });
    await submitProviderJob(w.deps, { jobId: "job1", pass: 0, group: g1! });
    await settleProviderJob(w.deps, { jobId: "job1", displayName: g1!.displayName, outcome: "fallback" });
    await w.clock.advance(1_000);
    expect(await readLayerProgress(w.deps.store, "job1", w.clock.now())).toEqual([
      { layer: 0, providerJobs: 2, requests: g0a!.items.length + g0b!.items.length, states: { running: 1, pending: 1 }, waitingMs: 6_000, done: false },
      { layer: 1, providerJobs: 1, requests: 3, states: { fallback: 1 }, waitingMs: 0, done: true },
    ]);
  });
});
