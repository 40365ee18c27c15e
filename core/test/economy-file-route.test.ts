/**
 * The economy mode on the Gemini Batch API's file route (real @google/genai SDK, fake Files and
 * Batch API, a small inline limit so a few rows need a file): groups are sized by the provider's
 * `maxJobRequestBytes` (and by item-key bytes); the record keeps the input file, an adopted orphan
 * too; settling and cancelling delete it; and a whole economy job whose layers go through files
 * (the real handlers on the batch harness) ends with realtime's outputs and no file left behind.
 */
import "./support/jest-undici-shim";
import { GoogleGenAI } from "@google/genai";
import { INLINE_BATCH_LIMIT_BYTES, type ProviderBatchJobs } from "../src/ai/batch-port";
import { GeminiAiService } from "../src/ai/gemini";
import { inputFileName } from "../src/ai/gemini-batch-files";
import { GeminiBatchJobs } from "../src/ai/gemini-batches";
import type { BatchTask } from "../src/batch/api";
import { groupRequests, type PendingTextRequest } from "../src/economy/layer-plan";
import { ProviderJobRecord, providerJobPath } from "../src/economy/provider-job-record";
import { cancelProviderJobs, pollProviderJob, type ProviderJobDeps, SUBMIT_LEASE_MS, settleProviderJob, submitProviderJob } from "../src/economy/provider-jobs";
import { RetryableError } from "../src/errors";
import { ManualClock } from "../src/testing/manual-clock";
import { MemoryStore } from "../src/testing/memory-store";
import { COLUMNS, TWO_STEP_FLOW, ctxFor, makeHarness, rowsOf, type Harness } from "./support/batch-harness";
import { useFakeGeminiServer } from "./support/use-fake-gemini-server";
import { FakeBatchApi, type WireBatchRequest, echoAnswer } from "./support/fake-batch-api";

const KEY = "AIzaSyFAKE-filebatch-key-000000000000";
const INLINE_LIMIT = 600;
const fake = useFakeGeminiServer();
const owner = { ownerId: "u1" };

function geminiFiles(): GeminiBatchJobs {
  const ai = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: fake().baseUrl } });
  return new GeminiBatchJobs({ ai, apiKey: KEY, baseUrl: fake().baseUrl, inlineLimitBytes: INLINE_LIMIT, fileLimitBytes: 100_000 });
}

function requests(rows: number, nodeId = "A"): PendingTextRequest[] {
  return Array.from({ length: rows }, (_, i) => ({
    rowId: String(i),
    node: { id: nodeId, data: { model: "gemini-2.5-flash", prompt: "x" } },
    prompt: `row ${i} ${"y".repeat(80)}`,
  }));
}

describe("grouping by the provider's job size", () => {
  it("a provider with a file route gets one group where the inline limit makes several", () => {
    const reqs = requests(30);
    const filed = groupRequests(reqs, { jobId: "j", pass: 0, layer: 0, maxBytes: geminiFiles().maxJobRequestBytes });
    const inline = groupRequests(reqs, { jobId: "j", pass: 0, layer: 0, maxBytes: INLINE_LIMIT });
    expect(filed.map((g) => g.items.length)).toEqual([30]);
    expect(inline.length).toBeGreaterThan(5);
    expect(inline.flatMap((g) => g.items)).toEqual(filed[0]!.items);
    // The default provider sizes: the offline simulation keeps the inline limit.
    expect(new GeminiAiService({ apiKey: KEY, baseUrl: fake().baseUrl }).batches!.maxJobRequestBytes).toBeGreaterThan(INLINE_BATCH_LIMIT_BYTES);
  });

  it("splits a group whose item keys would not fit one record", () => {
    // Keys "0/A" … "9/A" take 6 bytes each in the record, "10/A" … "29/A" 7: 60 bytes hold 10, then 8.
    const groups = groupRequests(requests(30), { jobId: "j", pass: 0, layer: 0, maxBytes: 1e9, maxKeyBytes: 60 });
    expect(groups.map((g) => g.items.length)).toEqual([10, 8, 8, 4]);
    expect(groups.map((g) => g.chunk)).toEqual([0, 1, 2, 3]);
  });
});

describe("provider-job records on the file route", () => {
  const group = () => groupRequests(requests(10), { jobId: "job1", pass: 0, layer: 0, maxBytes: 100_000 })[0]!;
  const world = (pollsToFinish = 1) => {
    const api = new FakeBatchApi({ pollsToFinish, inlineLimitBytes: INLINE_LIMIT }).install(fake());
    const deps: ProviderJobDeps = { store: new MemoryStore(), jobs: geminiFiles(), clock: new ManualClock(1_000) };
    const record = async (name: string) => ProviderJobRecord.parse((await deps.store.get(providerJobPath("job1", name)))?.data);
    return { api, deps, record };
  };

  it("records the input file with the job, answers by key, and deletes the file once settled", async () => {
    const { api, deps, record } = world();
    const g = group();
    const submitted = await submitProviderJob(deps, { jobId: "job1", pass: 0, group: g });
    expect(submitted).toMatchObject({ status: "submitted", inputFile: inputFileName(g.displayName) });
    expect(api.job(submitted.providerJobName!).inputFile).toBe(submitted.inputFile);
    const decision = await pollProviderJob(deps, { jobId: "job1", displayName: g.displayName, items: g.items });
    expect(decision.kind).toBe("results");
    if (decision.kind !== "results") return;
    expect(decision.outcomes.map((o) => o.ok && o.result.text)).toEqual(g.items.map((i) => `echo: ${i.request.prompt}`));
    expect(api.files.has(submitted.inputFile!)).toBe(true);
    await settleProviderJob(deps, { jobId: "job1", displayName: g.displayName, outcome: "results" });
    expect((await record(g.displayName)).status).toBe("settled");
    expect(api.deletedFiles).toEqual([submitted.inputFile]);
  });

  it("an orphan adopted after a crash past the provider's create keeps its input file; one upload, one job", async () => {
    const { api, deps, record } = world(99);
    const g = group();
    const crashing: ProviderBatchJobs = Object.create(deps.jobs, {
      create: {
        value: async (...args: Parameters<ProviderBatchJobs["create"]>) => {
          await deps.jobs.create(...args);
          throw new Error("process killed");
        },
      },
    });
    await expect(submitProviderJob({ ...deps, jobs: crashing }, { jobId: "job1", pass: 0, group: g })).rejects.toThrow("process killed");
    const adopted = await submitProviderJob(deps, { jobId: "job1", pass: 0, group: g });
    expect(adopted).toMatchObject({ status: "submitted", providerJobName: "batches/fake-1", inputFile: inputFileName(g.displayName) });
    expect(api.jobs.size).toBe(1);
    expect(
      fake()
        .requestsTo("/upload/v1beta/files")
        .filter((r) => r.headers["x-goog-upload-command"] === "start"),
    ).toHaveLength(1);
    // Cancel stops the job and deletes its file.
    expect(await cancelProviderJobs(deps, "job1")).toBe(1);
    expect((await record(g.displayName)).outcome).toBe("cancelled");
    expect(api.deletedFiles).toEqual([adopted.inputFile]);
  });

  /** The provider jobs, with `during` run while the upload is done and before the create call. */
  const duringUpload = (jobs: ProviderBatchJobs, during: () => Promise<unknown>): ProviderBatchJobs =>
    Object.create(jobs, {
      create: {
        value: (req: Parameters<ProviderBatchJobs["create"]>[0]) =>
          jobs.create({
            ...req,
            beforeCreate: async () => {
              await during();
              await req.beforeCreate?.();
            },
          }),
      },
    }) as ProviderBatchJobs;

  it("an upload that outlasts the submit lease: the delivery that took over makes the only job", async () => {
    const { api, deps, record } = world(99);
    const g = group();
    const clock = deps.clock as ManualClock;
    const slow = duringUpload(deps.jobs, async () => {
      await clock.advance(SUBMIT_LEASE_MS + 1);
      await submitProviderJob(deps, { jobId: "job1", pass: 0, group: g }); // a duplicate delivery, after the lease ran out
    });
    const first = await submitProviderJob({ ...deps, jobs: slow }, { jobId: "job1", pass: 0, group: g }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(RetryableError);
    expect(api.jobs.size).toBe(1);
    expect(await record(g.displayName)).toMatchObject({ status: "submitted", providerJobName: "batches/fake-1", inputFile: inputFileName(g.displayName) });
    expect(api.files.has(inputFileName(g.displayName))).toBe(true);
    expect(api.deletedFiles).toEqual([]);
  });

  it("cancelled during the upload: no job is created, the file is deleted, the submit returns the settled record", async () => {
    const { api, deps } = world(99);
    const g = group();
    const cancelling = duringUpload(deps.jobs, () => cancelProviderJobs(deps, "job1"));
    const rec = await submitProviderJob({ ...deps, jobs: cancelling }, { jobId: "job1", pass: 0, group: g });
    expect(rec).toMatchObject({ status: "settled", outcome: "cancelled", providerJobName: null });
    expect(api.jobs.size).toBe(0);
    expect(api.deletedFiles).toEqual([inputFileName(g.displayName)]);
  });

  it("a failed delete does not fail the settle", async () => {
    const { deps, record } = world();
    const g = group();
    await submitProviderJob(deps, { jobId: "job1", pass: 0, group: g });
    fake().reset();
    fake().script(/^\/v1beta\/files\//, { status: 503, json: { error: { code: 503, message: "busy", status: "UNAVAILABLE" } } });
    await settleProviderJob(deps, { jobId: "job1", displayName: g.displayName, outcome: "fallback" });
    expect((await record(g.displayName)).status).toBe("settled");
    expect(
      fake()
        .requestsTo(/^\/v1beta\/files\//)
        .map((r) => r.method),
    ).toEqual(["DELETE"]);
  });
});

/** Delivers every queued task, advancing the clock before each poll, until idle; returns each poll task's reads of stored answers. */
async function run(h: Harness): Promise<number[]> {
  const attempts = new Map<string, number>();
  const answerReads: number[] = [];
  const getAll = h.store.getAll.bind(h.store);
  let polling = false;
  h.store.getAll = (paths) => {
    if (polling && paths.some((p) => p.includes("/economy_items/"))) answerReads[answerReads.length - 1]! += 1;
    return getAll(paths);
  };
  for (let i = 0; i < 2_000; i++) {
    const next = h.queue.take();
    if (!next) {
      await h.drain();
      if (h.queue.pending.length === 0) return answerReads;
      continue;
    }
    const task = next.payload as BatchTask;
    polling = "kind" in task && task.kind === "economy-poll";
    if (polling) {
      await h.clock.advance(20_000);
      answerReads.push(0);
    }
    const attempt = attempts.get(next.id) ?? 0;
    try {
      await h.handlers.runRowTask(task, ctxFor(next.id, attempt, 10));
    } catch {
      attempts.set(next.id, attempt + 1);
      h.queue.pending.push(next.id);
    }
    polling = false;
  }
  return answerReads;
}

/** Realtime generateContent answered like a batch item: an echo of the prompt. */
function echoRealtime(): void {
  fake().script(":generateContent", (r) => ({ json: (echoAnswer({ request: r.body as WireBatchRequest["request"] }) as { response: unknown }).response }));
}

async function outputsOf(h: Harness, jobId: string) {
  const page = await h.handlers.listResults(owner, jobId, { limit: 100 });
  return page.results.map((r) => ({ row: r.rowIndex, status: r.status, outputs: r.outputs }));
}

describe("economy driver on the file route", () => {
  it("runs both layers of 12 rows as file-backed provider jobs, rendering prompts only to settle, with realtime's outputs, leaving no file", async () => {
    const api = new FakeBatchApi({ pollsToFinish: 4, inlineLimitBytes: INLINE_LIMIT }).install(fake());
    echoRealtime();
    const gemini = new GeminiAiService({ apiKey: KEY, baseUrl: fake().baseUrl });
    const realtime = makeHarness({ ai: gemini });
    const rt = await realtime.handlers.createJob({
      ownerId: "u1",
      flow: TWO_STEP_FLOW,
      columns: COLUMNS,
      rows: rowsOf(12, (i) => `note ${i}`),
      concurrency: 2,
    });
    await realtime.handlers.startJob(owner, rt.id);
    await realtime.drain();
    const realtimeCalls = fake().requestsTo(":generateContent").length;
    expect(realtimeCalls).toBe(24);

    const h = makeHarness({ ai: gemini });
    h.deps.economy = { batches: geminiFiles(), pollIntervalMs: 10_000, maxPollIntervalMs: 20_000 };
    const job = await h.handlers.createJob({
      ownerId: "u1",
      flow: TWO_STEP_FLOW,
      columns: COLUMNS,
      rows: rowsOf(12, (i) => `note ${i}`),
      concurrency: 2,
      mode: "economy",
    });
    await h.handlers.startJob(owner, job.id);
    const answerReads = await run(h);
    // Four polls per layer; only the one that reads results renders layer 1's prompts (from layer 0's answers).
    expect(answerReads).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", completedRows: 12, failedRows: 0 });
    expect(await outputsOf(h, job.id)).toEqual(await outputsOf(realtime, rt.id));
    expect(fake().requestsTo(":generateContent")).toHaveLength(realtimeCalls); // no realtime call of the economy job
    const jobs = [...api.jobs.values()];
    expect(jobs.map((j) => [j.requests.length, j.inputFile !== undefined])).toEqual([
      [12, true],
      [12, true],
    ]);
    const recs = (await h.store.query(`batch_jobs/${job.id}/provider_jobs`)).map((d) => ProviderJobRecord.parse(d.data));
    expect(recs.map((r) => [r.layer, r.status, r.outcome, r.inputFile])).toEqual(jobs.map((j, layer) => [layer, "settled", "results", j.inputFile]));
    expect(api.deletedFiles.sort()).toEqual(jobs.map((j) => j.inputFile).sort());
    expect([...api.files.keys()].every((name) => !name.startsWith("files/fc-"))).toBe(true);
  });
});
