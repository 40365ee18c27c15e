/**
 * An economy batch on a `serve` child process (gemini provider, the real SDK against the fake
 * Gemini Batch API in this process) killed with SIGKILL, then a new process on the same data
 * directory: the batch completes with the right outputs, no realtime text call, and the fake holds
 * exactly one provider job per group (no duplicate create). Killed (1) while the host polls a
 * provider job it has stored, and (2) while the provider's create is in flight, before the host
 * stored the job's name: the restarted host adopts that orphan by display name at once (its
 * predecessor's submit lease is stale: one process per data directory).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ChildProcess } from "node:child_process";
import { FakeBatchApi, type FakeBatchJob } from "../../core/test/support/fake-batch-api";
import { useFakeGeminiServer } from "../../core/test/support/use-fake-gemini-server";
import { buildBundles, startServe } from "./support/child";
import { TWO_LAYER_FLOW, csvOf } from "./support/flows";
import { request } from "./support/http-client";

const ROWS = 10;
const topics = Array.from({ length: ROWS }, (_, i) => `topic ${i}`);
const fake = useFakeGeminiServer();
let dataDir: string;
let children: ChildProcess[] = [];
let finisher: ReturnType<typeof setInterval> | null = null;

beforeAll(() => buildBundles());
beforeEach(() => (dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "fc-eco-crash-"))));
afterEach(() => {
  if (finisher) clearInterval(finisher);
  finisher = null;
  for (const c of children) c.kill("SIGKILL");
  children = [];
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function serve(): Promise<number> {
  const env = {
    GEMINI_API_KEY: "AIzaSyFAKE-eco-crash-key-0000000000000",
    GOOGLE_GEMINI_BASE_URL: fake().baseUrl,
    FLOWCRAFT_ECONOMY_POLL_MS: "50",
    FLOWCRAFT_ECONOMY_MAX_POLL_MS: "200",
  };
  const s = await startServe(["--data-dir", dataDir, "--provider", "gemini"], env);
  children.push(s.child);
  return s.port;
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await exited;
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 1600; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function createEconomyBatch(port: number): Promise<string> {
  const created = await request(port, "POST", "/api/batches", { flow: TWO_LAYER_FLOW, csv: csvOf(topics), mode: "economy", start: true });
  expect(created.status).toBe(201);
  return (created.json as { job: { id: string } }).job.id;
}

/** Finishes every provider job once it has been polled (from now on). */
function finishPolledJobs(api: FakeBatchApi): void {
  finisher = setInterval(() => {
    for (const j of api.jobs.values()) if (j.state === "RUNNING" && j.polls >= 1) api.finish(j.name);
  }, 20);
}

async function expectCompleted(port: number, id: string, api: FakeBatchApi): Promise<void> {
  const job = await until("the batch to end", async () => {
    const j = (await request(port, "GET", `/api/batches/${id}`)).json.job as { status: string };
    return ["completed", "failed", "cancelled"].includes(j.status) ? j : undefined;
  });
  expect(job).toMatchObject({ status: "completed", completedRows: ROWS, failedRows: 0, mode: "economy" });
  const results = (await request(port, "GET", `/api/batches/${id}/results?limit=100`)).json.results as Array<{
    rowIndex: number;
    status: string;
    outputs: unknown;
  }>;
  expect(results.map((r) => [r.rowIndex, r.status, r.outputs]).sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual(
    topics.map((t, i) => [i, "succeeded", { line: { kind: "text", text: `echo: Shorten: echo: Write one line about ${t}.` } }]),
  );
  // Every text call went through provider jobs, one per group (layer), each created once.
  expect(fake().requestsTo(":generateContent")).toHaveLength(0);
  expect(fake().requestsTo(":batchGenerateContent")).toHaveLength(2);
  const names = [...api.jobs.values()].map((j: FakeBatchJob) => j.displayName);
  expect(new Set(names).size).toBe(2);
  expect(names.map((n) => /-L(\d)-/.exec(n)?.[1])).toEqual(["0", "1"]);
}

describe("an economy batch on a host killed with SIGKILL", () => {
  it("resumes polling its stored provider job after a restart: completes, one provider job per layer", async () => {
    const api = new FakeBatchApi({ pollsToFinish: Number.MAX_SAFE_INTEGER }).install(fake()).installRealtime(fake());
    const port1 = await serve();
    const id = await createEconomyBatch(port1);
    // The provider job exists and the host has polled it (so it stored the job's name).
    const first = await until("the first provider job to be polled", () => [...api.jobs.values()].find((j) => j.polls >= 2));
    await kill(children[0]!);
    expect(first.state).toBe("RUNNING");
    expect(api.jobs.size).toBe(1);

    finishPolledJobs(api);
    const polledBefore = first.polls;
    const port2 = await serve();
    await expectCompleted(port2, id, api);
    expect(first.polls).toBeGreaterThan(polledBefore);
  });

  it("adopts the provider job whose create was in flight at the kill, by display name, instead of creating another", async () => {
    const api = new FakeBatchApi({ pollsToFinish: 2, createDelayMs: 60_000 }).install(fake()).installRealtime(fake());
    const port1 = await serve();
    const id = await createEconomyBatch(port1);
    // The provider has the job; its create's answer (with the job's name) has not reached the host.
    const orphan = await until("the provider's create", () => [...api.jobs.values()][0]);
    await kill(children[0]!);
    expect(orphan.polls).toBe(0);
    api.createDelayMs = 0;

    const port2 = await serve();
    // A 2-minute submit lease would outlast this wait: the restarted host takes its own over.
    await expectCompleted(port2, id, api);
    expect(orphan.state).toBe("SUCCEEDED");
    // The orphan was looked up by its display name (the listing), then polled, not created again.
    expect(fake().requests.filter((r) => r.method === "GET" && r.path === "/v1beta/batches").length).toBeGreaterThanOrEqual(2);
  }, 90_000);
});
