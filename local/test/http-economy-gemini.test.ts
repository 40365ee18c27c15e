/**
 * Economy batches on the local host over HTTP with the Gemini provider (the real @google/genai
 * SDK against the fake Gemini server's Batch API): what goes wrong at the provider.
 * - A per-item error fails that row's node with the code the same realtime call gets; the other
 *   rows succeed; "retry failed rows" runs it realtime and it succeeds.
 * - An EXPIRED provider job with fallback on: its items run realtime through `:generateContent`,
 *   the rows succeed at the standard price; with fallback off the rows fail with a clear error.
 * - Cancel while a provider job runs: the fake receives `:cancel`, the batch ends cancelled and
 *   every row counts as not run.
 */
import "../../core/test/support/jest-undici-shim";
import { GeminiAiService } from "@flowcraft/core";
import { FakeBatchApi, type FakeBatchJob, type ItemAnswer, type WireBatchRequest, echoAnswer, promptOf } from "../../core/test/support/fake-batch-api";
import { useFakeGeminiServer } from "../../core/test/support/use-fake-gemini-server";
import { TWO_LAYER_FLOW, csvOf } from "./support/flows";
import { request, type Reply } from "./support/http-client";
import { startTestServer, type TestServer } from "./support/test-server";

const KEY = "AIzaSyFAKE-http-economy-gemini-key-00000";
const fake = useFakeGeminiServer();
const POLLS = { pollIntervalMs: 20, maxPollIntervalMs: 100 };
let withFallback: TestServer;
let noFallback: TestServer;

beforeAll(async () => {
  const ai = new GeminiAiService({ apiKey: KEY, baseUrl: fake().baseUrl });
  withFallback = await startTestServer({ ai, economy: POLLS });
  noFallback = await startTestServer({ ai, economy: { ...POLLS, fallback: false } });
});
afterAll(async () => {
  await withFallback?.close();
  await noFallback?.close();
});

const topics = ["apples", "pears", "[[fail]] plums", "figs", "dates"];

interface JobView {
  id: string;
  status: string;
  completedRows: number;
  failedRows: number;
  skippedRows: number;
  costUsd: number;
  economy?: { layers: Array<{ layer: number; states: Record<string, number>; done: boolean }> };
}
interface ResultView {
  rowIndex: number;
  status: string;
  outputs: Record<string, { text?: string }>;
  error: { code: string; message: string; nodeId?: string; retryable: boolean } | null;
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 800; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const api = (srv: TestServer, method: string, path: string, body?: unknown): Promise<Reply> => request(srv.port, method, path, body);

async function create(srv: TestServer, mode: "economy" | "realtime"): Promise<string> {
  const created = await api(srv, "POST", "/api/batches", { flow: TWO_LAYER_FLOW, csv: csvOf(topics), mode, concurrency: 2, start: true });
  expect(created.status).toBe(201);
  return created.json.job.id as string;
}

async function ended(srv: TestServer, id: string): Promise<JobView> {
  return until(`batch ${id} to end`, async () => {
    const j = (await api(srv, "GET", `/api/batches/${id}`)).json.job as JobView;
    return ["completed", "failed", "cancelled"].includes(j.status) ? j : undefined;
  });
}

async function results(srv: TestServer, id: string): Promise<ResultView[]> {
  const list = (await api(srv, "GET", `/api/batches/${id}/results?limit=100`)).json.results as ResultView[];
  return [...list].sort((a, b) => a.rowIndex - b.rowIndex);
}

const line = (r: ResultView): string | undefined => r.outputs.line?.text;
const expected = (topic: string): string => `echo: Shorten: echo: Write one line about ${topic}.`;
const firstJob = (batchApi: FakeBatchApi): FakeBatchJob | undefined => [...batchApi.jobs.values()][0];

describe("economy batches against the Gemini Batch API, on the local host", () => {
  it("fails only the row whose item errs, with the realtime call's code; retry failed rows then runs it realtime", async () => {
    let failing = true;
    const answer = (r: WireBatchRequest): ItemAnswer =>
      failing && promptOf(r).includes("[[fail]]") ? { error: { code: 3, message: "Request contains an invalid argument." } } : echoAnswer(r);
    new FakeBatchApi({ pollsToFinish: 2, answer }).install(fake()).installRealtime(fake());

    const id = await create(withFallback, "economy");
    const job = await ended(withFallback, id);
    expect(job).toMatchObject({ status: "completed", completedRows: 4, failedRows: 1 });
    expect(fake().requestsTo(":generateContent")).toHaveLength(0);
    // Layer 1 went out without the row whose layer-0 item failed.
    expect(fake().requestsTo(":batchGenerateContent")).toHaveLength(2);
    const rows = await results(withFallback, id);
    const failed = rows[2]!;
    expect(failed).toMatchObject({ status: "failed", error: { code: "bad_request", nodeId: "write", retryable: false } });
    expect(rows.filter((r) => r.rowIndex !== 2).map(line)).toEqual(topics.filter((_, i) => i !== 2).map(expected));

    // The same row run realtime (same answers) fails with the same classified error.
    const rtId = await create(withFallback, "realtime");
    expect(await ended(withFallback, rtId)).toMatchObject({ completedRows: 4, failedRows: 1 });
    const rtFailed = (await results(withFallback, rtId))[2]!;
    expect({ code: rtFailed.error?.code, nodeId: rtFailed.error?.nodeId, retryable: rtFailed.error?.retryable }).toEqual({
      code: failed.error?.code,
      nodeId: failed.error?.nodeId,
      retryable: failed.error?.retryable,
    });

    // The provider answers it now: the retry runs the row realtime (both its text steps) and it succeeds.
    failing = false;
    fake().requests.length = 0;
    expect((await api(withFallback, "POST", `/api/batches/${id}/retry-failed`)).status).toBe(200);
    expect(await ended(withFallback, id)).toMatchObject({ status: "completed", completedRows: 5, failedRows: 0 });
    expect(fake().requestsTo(":generateContent")).toHaveLength(2);
    expect(fake().requestsTo(":batchGenerateContent")).toHaveLength(0);
    expect(line((await results(withFallback, id))[2]!)).toBe(expected(topics[2]!));
  });

  it("runs an EXPIRED provider job's items realtime with fallback on: rows succeed, at the standard price", async () => {
    const batchApi = new FakeBatchApi({ pollsToFinish: Number.MAX_SAFE_INTEGER }).install(fake()).installRealtime(fake());
    const rtId = await create(withFallback, "realtime");
    const realtime = await ended(withFallback, rtId);
    const realtimeRows = await results(withFallback, rtId);
    fake().requests.length = 0;

    const id = await create(withFallback, "economy");
    const providerJob = await until("the provider job to be polled", () => {
      const j = firstJob(batchApi);
      return j && j.polls >= 1 ? j : undefined;
    });
    batchApi.expire(providerJob.name);
    const job = await ended(withFallback, id);
    expect(job).toMatchObject({ status: "completed", completedRows: topics.length, failedRows: 0 });
    // Layer 0 expired: its items, and layer 1 above them, went realtime; no second provider job.
    expect(fake().requestsTo(":batchGenerateContent")).toHaveLength(1);
    expect(fake().requestsTo(":generateContent")).toHaveLength(2 * topics.length);
    expect((await results(withFallback, id)).map((r) => [r.status, r.outputs])).toEqual(realtimeRows.map((r) => [r.status, r.outputs]));
    expect(job.costUsd).toBeGreaterThan(0);
    expect(job.costUsd).toBeCloseTo(realtime.costUsd, 9);
    expect(job.economy?.layers[0]).toMatchObject({ layer: 0, done: true, states: { fallback: 1 } });
  });

  it("fails the rows of an EXPIRED provider job with a clear error when fallback is off", async () => {
    const batchApi = new FakeBatchApi({ pollsToFinish: Number.MAX_SAFE_INTEGER }).install(fake()).installRealtime(fake());
    const id = await create(noFallback, "economy");
    const providerJob = await until("the provider job to be polled", () => {
      const j = firstJob(batchApi);
      return j && j.polls >= 1 ? j : undefined;
    });
    batchApi.expire(providerJob.name);
    const job = await ended(noFallback, id);
    // Every row failed: the batch fails, as a realtime batch whose rows all fail does.
    expect(job).toMatchObject({ status: "failed", completedRows: 0, failedRows: topics.length });
    expect(fake().requestsTo(":generateContent")).toHaveLength(0);
    for (const r of await results(noFallback, id)) {
      expect(r.error).toMatchObject({
        code: "timeout",
        nodeId: "write",
        message: "The provider expired the batch job before it finished, and realtime fallback is off",
      });
    }
  });

  it("cancels the running provider job when the batch is cancelled: ends cancelled, every row not run", async () => {
    const batchApi = new FakeBatchApi({ pollsToFinish: Number.MAX_SAFE_INTEGER }).install(fake()).installRealtime(fake());
    const id = await create(withFallback, "economy");
    const providerJob = await until("the provider job to run", () => {
      const j = firstJob(batchApi);
      return j?.state === "RUNNING" ? j : undefined;
    });
    expect((await api(withFallback, "POST", `/api/batches/${id}/cancel`)).status).toBe(200);
    const job = await ended(withFallback, id);
    expect(job).toMatchObject({ status: "cancelled", completedRows: 0, failedRows: 0, skippedRows: topics.length });
    expect(fake().requestsTo(`/v1beta/${providerJob.name}:cancel`)).toHaveLength(1);
    expect(providerJob.state).toBe("CANCELLED");
    expect(fake().requestsTo(":generateContent")).toHaveLength(0);
    // Nothing goes on after the cancel: no further poll, no next layer.
    const polls = providerJob.polls;
    await new Promise((r) => setTimeout(r, 300));
    expect(providerJob.polls).toBe(polls);
    expect(batchApi.jobs.size).toBe(1);
  });
});
