import type { Job, RowResult } from "../../core/src/batch/model";
import { LocalBackend } from "../src/backend/local-backend";
import { BackendError } from "../src/backend/types";
import type { ResultsChange } from "../src/lib/results-merge";
import { startFakeApi, type FakeApi } from "./support/fake-api";
import { FakeEventSource } from "./support/fake-event-source";
import { jobJson, rowResult } from "./support/job-fixtures";

const job = jobJson();
const result = (rowIndex: number, status: RowResult["status"] = "succeeded"): RowResult => rowResult(rowIndex, { status });
const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!check()) throw new Error("condition not reached");
};

let api: FakeApi;
let backend: LocalBackend;

beforeAll(() => {
  (globalThis as { EventSource?: unknown }).EventSource = FakeEventSource;
});

beforeEach(async () => {
  FakeEventSource.instances = [];
  api = await startFakeApi();
  backend = new LocalBackend(api.baseUrl, { reconnectBaseMs: 5 });
});

afterEach(() => api.close());

describe("LocalBackend requests", () => {
  it("sends the batch as columns and rows and returns the created job", async () => {
    api.route("POST /api/batches", () => ({ status: 201, body: { job } }));
    const created = await backend.create({ name: "n", flow: { nodes: [] }, columns: ["a"], rows: [{ a: "1" }], concurrency: 3, start: true });
    expect(created.id).toBe("job1");
    expect(api.requests[0]?.body).toEqual({
      name: "n",
      flow: { nodes: [] },
      columns: ["a"],
      rows: [{ a: "1" }],
      concurrency: 3,
      start: true,
      requestId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
    });
  });

  it("asks POST /api/batches/estimate and returns the estimate", async () => {
    const estimate = { rows: 2, calls: 2, costUsd: { low: 0.001, expected: 0.002, high: 0.01 } };
    api.route("POST /api/batches/estimate", () => ({ status: 200, body: { estimate } }));
    const input = { flow: { nodes: [] }, columns: ["a"], rows: [{ a: "1" }, { a: "2" }], concurrency: 3 };
    await expect(backend.estimate(input)).resolves.toEqual(estimate);
    expect(api.requests[0]?.body).toEqual(input);
  });

  it("uses the contract's routes for the job actions", async () => {
    api.route("PATCH /api/batches/job1", () => ({ status: 200, body: { job } }));
    api.route("POST /api/batches/job1/retry-failed", () => ({ status: 200, body: { job, rows: 2 } }));
    api.route("POST /api/batches/job1/cancel", () => ({ status: 200, body: { job } }));
    await backend.setConcurrency("job1", 7);
    expect((await backend.retryFailed("job1")).rows).toBe(2);
    await backend.cancel("job1");
    expect(api.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      "PATCH /api/batches/job1",
      "POST /api/batches/job1/retry-failed",
      "POST /api/batches/job1/cancel",
    ]);
    expect(api.requests[0]?.body).toEqual({ concurrency: 7 });
  });

  it("passes the server's ErrorInfo on, details included", async () => {
    const info = {
      code: "invalid_flow",
      message: "Invalid flow",
      retryable: false,
      details: [{ path: "nodes[1].data.prompt", message: "prompt is required" }],
    };
    api.route("POST /api/preview", () => ({ status: 400, body: { error: info } }));
    const err = (await backend.preview({}, {}).catch((e: unknown) => e)) as BackendError;
    expect(err).toBeInstanceOf(BackendError);
    expect(err.status).toBe(400);
    expect(err.info).toEqual(info);
  });

  it("explains a body without ErrorInfo and an unreachable server", async () => {
    api.route("POST /api/batches", () => ({ status: 413, body: "too big", raw: true }));
    const tooBig = (await backend.create({ flow: {}, columns: [], rows: [], concurrency: 1, start: true }).catch((e: unknown) => e)) as BackendError;
    expect(tooBig.info.message).toMatch(/too large/);
    const gone = new LocalBackend("http://127.0.0.1:1");
    const err = (await gone.list().catch((e: unknown) => e)) as BackendError;
    expect(err.info.code).toBe("unavailable");
  });

  it("parses the jobs in replies: defaults filled in, a reply of another shape refused naming the request and the field", async () => {
    const { skippedRows: _s, ...sparse } = jobJson();
    api.route("GET /api/batches/job1", () => ({ status: 200, body: { job: sparse } }));
    await expect(backend.get("job1")).resolves.toEqual(jobJson());
    api.route("POST /api/batches/job1/cancel", () => ({ status: 200, body: { job: { ...jobJson(), status: "stopped" } } }));
    const bad = (await backend.cancel("job1").catch((e: unknown) => e)) as BackendError;
    expect(bad).toBeInstanceOf(BackendError);
    expect(bad.info).toMatchObject({ code: "internal", retryable: false });
    expect(bad.message).toMatch(/^The job in the reply of POST \/api\/batches\/job1\/cancel is not in the shape this app reads \(status: /);
    api.route("GET /api/batches", () => ({ status: 200, body: { jobs: [jobJson(), { id: "job2" }] } }));
    await expect(backend.list()).rejects.toThrow(/^Job 2 in the reply of GET \/api\/batches is not in the shape/);
    api.route("POST /api/batches/job1/retry-failed", () => ({ status: 200, body: { job: jobJson() } }));
    await expect(backend.retryFailed("job1")).rejects.toThrow(/rows: expected a row count/);
  });

  it("builds media URLs that keep the ref's path segments", async () => {
    expect(await backend.mediaUrl("batch_jobs/j 1/000001/out.png")).toBe(`${api.baseUrl}/api/media/batch_jobs/j%201/000001/out.png`);
  });
});

describe("LocalBackend live updates", () => {
  function pages(): void {
    api.route("GET /api/batches/job1/results", (req) =>
      req.url.includes("cursor=p2")
        ? { status: 200, body: { results: [result(2)], nextCursor: null } }
        : { status: 200, body: { results: [result(0), result(1, "failed")], nextCursor: "p2" } },
    );
  }

  it("loads every page, then applies live results, over one stream shared with watchJob", async () => {
    pages();
    const changes: ResultsChange[] = [];
    const jobs: Job[] = [];
    const stopResults = backend.watchResults("job1", (c) => changes.push(c));
    const stopJob = backend.watchJob("job1", (j) => jobs.push(j));
    FakeEventSource.latest().open();
    await until(() => changes.length === 2);
    expect(changes.flatMap((c) => c.upserts.map((r) => r.rowIndex))).toEqual([0, 1, 2]);
    expect(FakeEventSource.instances).toHaveLength(1);
    const source = FakeEventSource.latest();
    source.emit("job", job, "5");
    source.emit("result", result(3), "6");
    expect(jobs.map((j) => j.id)).toEqual(["job1"]);
    expect(changes[2]?.upserts[0]?.rowIndex).toBe(3);
    stopJob();
    stopResults();
    expect(source.readyState).toBe(FakeEventSource.CLOSED);
  });

  it("leaves reconnecting to the browser, but reopens and reloads everything once it gives up", async () => {
    pages();
    const changes: ResultsChange[] = [];
    const stop = backend.watchResults("job1", (c) => changes.push(c));
    FakeEventSource.latest().open();
    await until(() => changes.length === 2);
    const first = FakeEventSource.latest();
    first.fail(false);
    expect(FakeEventSource.instances).toHaveLength(1);
    first.fail(true);
    await until(() => FakeEventSource.instances.length === 2);
    const second = FakeEventSource.latest();
    second.open();
    second.emit("result", result(4), "9");
    await until(() => changes.some((c) => c.reset));
    const reload = changes.find((c) => c.reset);
    expect(reload?.upserts.map((r) => r.rowIndex)).toEqual([0, 1, 2, 4]);
    stop();
  });

  it("loads the stored results only once the live stream is open, so none written in between is missed", async () => {
    pages();
    const changes: ResultsChange[] = [];
    const realFetch = globalThis.fetch;
    const fetched: string[] = [];
    globalThis.fetch = (input, init) => {
      fetched.push(input instanceof Request ? input.url : input.toString());
      return realFetch(input, init);
    };
    try {
      const stop = backend.watchResults("job1", (c) => changes.push(c));
      await new Promise((r) => setImmediate(r));
      expect(fetched.filter((u) => u.includes("/results"))).toEqual([]);
      FakeEventSource.latest().open();
      await new Promise((r) => setImmediate(r));
      expect(fetched.filter((u) => u.includes("/results"))).toHaveLength(1);
      stop();
    } finally {
      globalThis.fetch = realFetch;
    }
  });

  it("a second watcher of a stream that is already open loads at once", async () => {
    pages();
    const changes: ResultsChange[] = [];
    const stop = backend.watchResults("job1", (c) => changes.push(c));
    FakeEventSource.latest().open();
    await until(() => changes.length === 2);
    expect(changes.flatMap((c) => c.upserts.map((r) => r.rowIndex))).toEqual([0, 1, 2]);
    const more: ResultsChange[] = [];
    const stop2 = backend.watchResults("job1", (c) => more.push(c));
    await until(() => more.length === 2);
    stop2();
    stop();
  });

  it("reports a results page with a malformed result instead of applying it", async () => {
    api.route("GET /api/batches/job1/results", () => ({ status: 200, body: { results: [result(0), { ...result(1), status: "done" }], nextCursor: null } }));
    const changes: ResultsChange[] = [];
    const errors: BackendError[] = [];
    const stop = backend.watchResults(
      "job1",
      (c) => changes.push(c),
      (e) => errors.push(e),
    );
    FakeEventSource.latest().open();
    await until(() => errors.length === 1);
    expect(errors[0]?.message).toMatch(/^Result 2 in the reply of GET \/api\/batches\/job1\/results\?limit=500 is not in the shape this app reads \(status: /);
    expect(changes).toEqual([]);
    stop();
  });

  it("drops a malformed live result, reports it, and applies the next good one", async () => {
    pages();
    const changes: ResultsChange[] = [];
    const errors: BackendError[] = [];
    const stop = backend.watchResults(
      "job1",
      (c) => changes.push(c),
      (e) => errors.push(e),
    );
    const source = FakeEventSource.latest();
    source.open();
    await until(() => changes.length === 2);
    source.emit("result", { ...result(3), trace: null }, "7");
    source.emit("result", result(4), "8");
    expect(errors.map((e) => e.info.code)).toEqual(["internal"]);
    expect(errors[0]?.message).toContain("trace");
    expect(changes.slice(2).map((c) => c.upserts.map((r) => r.rowIndex))).toEqual([[4]]);
    stop();
  });

  it("still loads the stored results when the stream cannot open", async () => {
    pages();
    const changes: ResultsChange[] = [];
    const stop = backend.watchResults(
      "job1",
      (c) => changes.push(c),
      () => undefined,
    );
    FakeEventSource.latest().fail(true);
    await until(() => changes.length === 2);
    stop();
  });

  it("closes the stream at `end` and reopens it when failed rows are retried", async () => {
    pages();
    api.route("POST /api/batches/job1/retry-failed", () => ({ status: 200, body: { job, rows: 1 } }));
    const stop = backend.watchJob("job1", () => undefined);
    const first = FakeEventSource.latest();
    first.emit("end", {});
    expect(first.readyState).toBe(FakeEventSource.CLOSED);
    await backend.retryFailed("job1");
    expect(FakeEventSource.instances).toHaveLength(2);
    stop();
  });
});
